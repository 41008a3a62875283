package dev.mailtls.it.bed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A deliberately small SMTP client over plain sockets for checking the bed itself (and for
 * tests that need a client with no policy of its own): commands and replies line by line,
 * STARTTLS through an {@link SSLSocket} layered on the connection, and a transcript.
 */
public final class SmtpTestClient implements AutoCloseable {

  /** One SMTP reply: the code and every line, without line endings. */
  public record Reply(int code, List<String> lines) {
    /** The lines joined with newlines. */
    public String text() {
      return String.join("\n", lines);
    }

    public boolean positive() {
      return code >= 200 && code < 400;
    }
  }

  private final Socket plain;
  private Socket socket;
  private BufferedReader in;
  private OutputStream out;
  private final List<String> transcript = new ArrayList<>();
  private final Reply greeting;
  private Reply lastEhlo;

  private SmtpTestClient(Socket socket) throws IOException {
    this(socket, socket);
  }

  private SmtpTestClient(Socket plain, Socket socket) throws IOException {
    this.plain = plain;
    attach(socket);
    this.greeting = readReply();
  }

  /** Connects and reads the greeting; {@code timeout} bounds the connect and every read. */
  public static SmtpTestClient connect(InetSocketAddress address, Duration timeout) throws IOException {
    Socket socket = new Socket();
    socket.connect(address, (int) timeout.toMillis());
    socket.setSoTimeout((int) timeout.toMillis());
    return new SmtpTestClient(socket);
  }

  /**
   * Connects with implicit TLS (smtps: the handshake first, with SNI {@code serverName} and a
   * host-name check against it), then reads the greeting.
   */
  public static SmtpTestClient connectTls(InetSocketAddress address, SSLContext context, String serverName,
      Duration timeout) throws IOException {
    Socket socket = new Socket();
    socket.connect(address, (int) timeout.toMillis());
    socket.setSoTimeout((int) timeout.toMillis());
    SSLSocket tls = handshake(socket, context, serverName);
    SmtpTestClient client = new SmtpTestClient(socket, tls);
    client.transcript.add(0, "-- TLS " + tls.getSession().getProtocol() + " " + tls.getSession().getCipherSuite());
    return client;
  }

  private static SSLSocket handshake(Socket plain, SSLContext context, String serverName) throws IOException {
    SSLSocket tls = (SSLSocket) context.getSocketFactory()
        .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(serverName)));
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    return tls;
  }

  /** An SSLContext that trusts only {@code ca} (PKIX), e.g. the bed's test CA. */
  public static SSLContext trusting(X509Certificate ca) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build an SSLContext trusting " + ca.getSubjectX500Principal(), e);
    }
  }

  private void attach(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    this.out = socket.getOutputStream();
  }

  public Reply greeting() {
    return greeting;
  }

  /** Sends one command line (without CRLF) and reads the reply. */
  public Reply command(String line) throws IOException {
    transcript.add("C: " + line);
    out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return readReply();
  }

  public Reply ehlo(String name) throws IOException {
    lastEhlo = command("EHLO " + name);
    return lastEhlo;
  }

  /** Whether the last EHLO reply lists the extension (e.g. {@code STARTTLS}, {@code AUTH}). */
  public boolean offers(String extension) {
    if (lastEhlo == null) {
      return false;
    }
    String wanted = extension.toUpperCase(Locale.ROOT);
    return lastEhlo.lines().stream().skip(1).map(l -> l.length() > 4 ? l.substring(4).toUpperCase(Locale.ROOT) : "")
        .anyMatch(l -> l.equals(wanted) || l.startsWith(wanted + " "));
  }

  /**
   * Sends STARTTLS and, on 220, performs the TLS handshake with SNI {@code serverName} and a
   * host-name check of the certificate against it. Returns the STARTTLS reply.
   */
  public Reply startTls(SSLContext context, String serverName) throws IOException {
    Reply reply = command("STARTTLS");
    if (reply.code() != 220) {
      return reply;
    }
    SSLSocket tls = handshake(plain, context, serverName);
    transcript.add("-- TLS " + tls.getSession().getProtocol() + " " + tls.getSession().getCipherSuite());
    attach(tls);
    lastEhlo = null;
    return reply;
  }

  /** The TLS session, or null before a successful {@link #startTls} (or without {@link #connectTls}). */
  public SSLSession tlsSession() {
    return socket instanceof SSLSocket ssl ? ssl.getSession() : null;
  }

  /**
   * MAIL FROM, RCPT TO for each recipient, DATA and the message (dot-stuffed here). Stops at
   * the first negative reply and returns it; otherwise returns the reply to the final dot.
   */
  public Reply sendMail(String from, List<String> recipients, String message) throws IOException {
    Reply reply = command("MAIL FROM:<" + from + ">");
    if (!reply.positive()) {
      return reply;
    }
    for (String recipient : recipients) {
      reply = command("RCPT TO:<" + recipient + ">");
      if (!reply.positive()) {
        return reply;
      }
    }
    reply = command("DATA");
    if (reply.code() != 354) {
      return reply;
    }
    StringBuilder data = new StringBuilder();
    for (String line : message.split("\r?\n", -1)) {
      data.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
    }
    data.append(".");
    transcript.add("C: (" + message.length() + " characters of message)");
    return command(data.toString());
  }

  /** Sends QUIT (ignoring a server that already closed) and closes the connection. */
  public void quit() {
    try {
      command("QUIT");
    } catch (IOException e) {
      // the server may have closed first
    }
    close();
  }

  /** Every command and reply so far, prefixed {@code C:} and {@code S:}. */
  public List<String> transcript() {
    return List.copyOf(transcript);
  }

  private Reply readReply() throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed by the server; transcript: " + transcript);
      }
      transcript.add("S: " + line);
      lines.add(line);
      if (line.length() < 4 || line.charAt(3) != '-') {
        int code;
        try {
          code = Integer.parseInt(line.substring(0, Math.min(3, line.length())));
        } catch (NumberFormatException e) {
          throw new IOException("not an SMTP reply: " + line);
        }
        return new Reply(code, lines);
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
    try {
      plain.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
