package dev.mailtls.it.bed;

import dev.mailtls.it.bed.ProxyConnection.Direction;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A man in the middle for SMTP downgrade tests, running as threads of the test JVM: it listens
 * on its own loopback address, forwards to Postfix, and records every byte of every connection
 * ({@link ProxyConnection}).
 *
 * <p>Modes: {@link Mode#STRIP} removes {@code STARTTLS} from the EHLO reply and answers a
 * STARTTLS sent anyway with {@code 502 5.5.2}; {@link Mode#FAIL} leaves the EHLO reply alone and
 * answers STARTTLS with {@code 454 4.7.0}; {@link Mode#PASS} is transparent, and once STARTTLS
 * succeeds it relays (and records) the TLS records unchanged. With {@link #setFakeAuth(boolean)}
 * the EHLO reply also advertises {@code AUTH PLAIN LOGIN} and any AUTH is accepted with
 * {@code 235}, so a client that would send credentials in the clear shows them in the log.
 *
 * <p>The proxy tracks which command each server reply answers, in order, so pipelined
 * commands are fine; STARTTLS and AUTH are answered by the proxy itself, which assumes the
 * client waits for replies before sending them (as RFC 2920 and RFC 4954 require).
 */
public final class StarttlsProxy implements AutoCloseable {

  /** How the proxy treats STARTTLS. */
  public enum Mode {
    /** STARTTLS removed from EHLO; STARTTLS answered {@code 502 5.5.2}. */
    STRIP,
    /** STARTTLS advertised; answered {@code 454 4.7.0}. */
    FAIL,
    /** Transparent; TLS passes through after STARTTLS. */
    PASS
  }

  private static final int MAX_LINE = 65536;

  private final String name;
  private final Mode mode;
  private final InetSocketAddress address;
  private final InetSocketAddress upstream;
  private final ServerSocket server;
  private final List<ProxyConnection> connections = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile boolean fakeAuth;
  private volatile boolean closed;

  /** Binds {@code address} and starts accepting; fails if the port is in use. */
  public StarttlsProxy(String name, Mode mode, InetSocketAddress address, InetSocketAddress upstream)
      throws IOException {
    if (address.getPort() != 0) {
      LocalPorts.requireFree("the " + name + " proxy", address, false);
    }
    this.name = name;
    this.mode = mode;
    this.upstream = upstream;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(address);
    // The bound address: port 0 in a test's own proxy means "any free port".
    this.address = (InetSocketAddress) server.getLocalSocketAddress();
    Thread acceptor = new Thread(this::acceptLoop, "mailtls-bed-proxy-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public Mode mode() {
    return mode;
  }

  /** Where clients connect. */
  public InetSocketAddress address() {
    return address;
  }

  /** The server the proxy forwards to. */
  public InetSocketAddress upstream() {
    return upstream;
  }

  /**
   * Advertise {@code AUTH PLAIN LOGIN} and accept any credentials with 235 (the server never
   * sees AUTH). Applies to connections opened afterwards; reset by {@link TestBed#reset()}.
   */
  public void setFakeAuth(boolean enabled) {
    fakeAuth = enabled;
  }

  public boolean fakeAuth() {
    return fakeAuth;
  }

  /** The recorded connections since the last {@link #clearLog()}, oldest first. */
  public List<ProxyConnection> connections() {
    return List.copyOf(connections);
  }

  /** Forgets the recorded connections (open ones keep running, unrecorded here). */
  public void clearLog() {
    connections.clear();
  }

  /** Waits until every recorded connection has closed on both sides; false at the time limit. */
  public boolean awaitAllClosed(Duration limit) {
    Instant deadline = Instant.now().plus(limit);
    for (ProxyConnection connection : connections) {
      long left = Duration.between(Instant.now(), deadline).toMillis();
      try {
        if (left <= 0 || !connection.closedLatch().await(left, TimeUnit.MILLISECONDS)) {
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** The cleartext sensitive commands of all recorded connections (see {@link ProxyConnection}). */
  public List<String> cleartextSensitiveCommands() {
    return connections.stream().flatMap(c -> c.cleartextSensitiveCommands().stream())
        .collect(Collectors.toList());
  }

  /** One line per recorded connection, then every chunk: for assertion messages. */
  public String report() {
    return name + " proxy (" + mode + ", " + address + " -> " + upstream + "):\n"
        + connections.stream().map(ProxyConnection::transcript).collect(Collectors.joining("\n"));
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // nothing to do
    }
    sockets.forEach(StarttlsProxy::closeQuietly);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        ProxyConnection connection = new ProxyConnection(ids.incrementAndGet());
        connections.add(connection);
        sockets.add(client);
        Thread thread = new Thread(() -> serve(client, connection),
            "mailtls-bed-proxy-" + name + "-" + connection.id());
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        // closed
      }
    }
  }

  private void serve(Socket client, ProxyConnection connection) {
    Socket server;
    try {
      server = new Socket();
      sockets.add(server);
      server.connect(upstream, 5000);
    } catch (IOException e) {
      connection.note("cannot reach " + upstream + ": " + e);
      closeQuietly(client);
      connection.markClosed();
      return;
    }
    Session session = new Session(client, server, connection, fakeAuth);
    Thread toClient = new Thread(session::serverToClient, Thread.currentThread().getName() + "-s2c");
    toClient.setDaemon(true);
    toClient.start();
    session.clientToServer();
    try {
      toClient.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(client);
    closeQuietly(server);
    sockets.remove(client);
    sockets.remove(server);
    connection.markClosed();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  /** One proxied connection: a thread per direction sharing the command/reply bookkeeping. */
  private final class Session {
    private final Socket client;
    private final Socket server;
    private final ProxyConnection log;
    private final boolean fakeAuth;
    private final InputStream clientIn;
    private final InputStream serverIn;
    private final OutputStream clientOut;
    private final OutputStream serverOut;
    /** Verbs of the commands forwarded whose replies are still due, oldest first. */
    private final Deque<String> pending = new ArrayDeque<>();
    private final CompletableFuture<Integer> starttlsReply = new CompletableFuture<>();
    private volatile boolean inData;

    Session(Socket client, Socket server, ProxyConnection log, boolean fakeAuth) {
      this.client = client;
      this.server = server;
      this.log = log;
      this.fakeAuth = fakeAuth;
      try {
        this.clientIn = new BufferedInputStream(client.getInputStream());
        this.serverIn = new BufferedInputStream(server.getInputStream());
        this.clientOut = client.getOutputStream();
        this.serverOut = server.getOutputStream();
      } catch (IOException e) {
        throw new IllegalStateException("fresh sockets have streams", e);
      }
    }

    void clientToServer() {
      try {
        byte[] line;
        while ((line = readLine(clientIn)) != null) {
          String text = new String(line, StandardCharsets.ISO_8859_1);
          if (inData) {
            forwardToServer(line, false, null);
            if (text.equals(".\r\n") || text.equals(".\n")) {
              inData = false;
              expectReply(".");
            }
            continue;
          }
          String verb = verb(text);
          if (verb.equals("STARTTLS") && mode != Mode.PASS) {
            log.record(Direction.CLIENT_TO_SERVER, line, false, false, null);
            if (mode == Mode.STRIP) {
              reply("502 5.5.2 Error: command not recognized\r\n", "answered STARTTLS with 502 (strip)");
            } else {
              reply("454 4.7.0 TLS not available due to local problem\r\n", "answered STARTTLS with 454 (fail)");
            }
          } else if (verb.equals("AUTH") && fakeAuth) {
            fakeAuthDialog(line, text);
          } else if (verb.equals("STARTTLS")) {
            expectReply(verb);
            forwardToServer(line, false, null);
            if (starttlsReply.get(60, TimeUnit.SECONDS) == 220) {
              relayRaw(clientIn, serverOut, Direction.CLIENT_TO_SERVER);
              return;
            }
          } else {
            expectReply(verb);
            forwardToServer(line, isSensitive(verb, text), null);
          }
        }
      } catch (Exception e) {
        log.note("client side: " + e);
      } finally {
        halfClose(server);
      }
    }

    void serverToClient() {
      try {
        boolean greeted = false;
        List<byte[]> reply;
        while ((reply = readReply(serverIn)) != null) {
          String first = new String(reply.get(0), StandardCharsets.ISO_8859_1);
          int code = code(first);
          String verb = greeted ? nextExpected() : "(greeting)";
          greeted = true;
          if ((verb.equals("EHLO")) && code == 250) {
            List<String> lines = reply.stream()
                .map(l -> new String(l, StandardCharsets.ISO_8859_1)).collect(Collectors.toList());
            List<String> notes = new ArrayList<>();
            String rewritten = rewriteEhlo(lines, notes);
            if (notes.isEmpty()) {
              forwardToClient(join(reply));
            } else {
              log.record(Direction.SERVER_TO_CLIENT, join(reply), false, false, null);
              notes.forEach(log::note);
              writeToClient(rewritten.getBytes(StandardCharsets.ISO_8859_1), String.join(", ", notes));
            }
            continue;
          }
          if (verb.equals("DATA") && code == 354) {
            inData = true; // before the client can see the 354 and send content
          }
          forwardToClient(join(reply));
          if (verb.equals("STARTTLS")) {
            if (code == 220) {
              // Marked before the client side resumes, so its next bytes count as inside TLS.
              log.tlsStarted();
              log.note("STARTTLS passed through; TLS records follow");
              starttlsReply.complete(code);
              relayRaw(serverIn, clientOut, Direction.SERVER_TO_CLIENT);
              return;
            }
            starttlsReply.complete(code);
          }
        }
      } catch (IOException e) {
        log.note("server side: " + e);
      } finally {
        starttlsReply.complete(-1);
        halfClose(client);
      }
    }

    private void fakeAuthDialog(byte[] line, String text) throws IOException {
      log.record(Direction.CLIENT_TO_SERVER, line, false, true, "fake AUTH: answered by the proxy");
      String[] words = text.strip().split("\\s+");
      String mechanism = words.length > 1 ? words[1].toUpperCase(Locale.ROOT) : "";
      boolean initial = words.length > 2;
      List<String> prompts;
      if (mechanism.equals("PLAIN")) {
        prompts = initial ? List.of() : List.of("334 \r\n");
      } else if (mechanism.equals("LOGIN")) {
        // Base64 of "Username:" and "Password:".
        prompts = initial ? List.of("334 UGFzc3dvcmQ6\r\n") : List.of("334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n");
      } else {
        reply("504 5.5.4 Unrecognized authentication type\r\n", "fake AUTH: unknown mechanism");
        return;
      }
      for (String prompt : prompts) {
        reply(prompt, "fake AUTH: prompt");
        byte[] response = readLine(clientIn);
        if (response == null) {
          return;
        }
        log.record(Direction.CLIENT_TO_SERVER, response, false, true, "fake AUTH: credentials");
      }
      reply("235 2.7.0 Authentication successful\r\n", "fake AUTH: accepted");
    }

    /** EHLO reply lines without STARTTLS (strip) and with AUTH (fake AUTH), continuation marks fixed. */
    private String rewriteEhlo(List<String> lines, List<String> notes) {
      List<String> texts = new ArrayList<>();
      for (String line : lines) {
        String text = line.length() > 4 ? line.substring(4).replaceAll("[\r\n]+$", "") : "";
        if (mode == Mode.STRIP && text.equalsIgnoreCase("STARTTLS")) {
          notes.add("removed STARTTLS");
          continue;
        }
        texts.add(text);
      }
      if (fakeAuth && texts.stream().noneMatch(t -> t.toUpperCase(Locale.ROOT).startsWith("AUTH"))) {
        texts.add("AUTH PLAIN LOGIN");
        notes.add("added AUTH PLAIN LOGIN");
      }
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < texts.size(); i++) {
        out.append(i == texts.size() - 1 ? "250 " : "250-").append(texts.get(i)).append("\r\n");
      }
      return out.toString();
    }

    private boolean isSensitive(String verb, String text) {
      String upper = text.toUpperCase(Locale.ROOT);
      return verb.equals("AUTH") || verb.equals("DATA") || verb.equals("BDAT")
          || upper.startsWith("MAIL FROM") || upper.startsWith("RCPT TO");
    }

    private synchronized void expectReply(String verb) {
      pending.addLast(verb);
    }

    private synchronized String nextExpected() {
      String verb = pending.pollFirst();
      return verb == null ? "(unsolicited)" : verb;
    }

    private void forwardToServer(byte[] data, boolean sensitive, String note) throws IOException {
      log.record(Direction.CLIENT_TO_SERVER, data, true, sensitive, note);
      serverOut.write(data);
      serverOut.flush();
    }

    private void forwardToClient(byte[] data) throws IOException {
      log.record(Direction.SERVER_TO_CLIENT, data, true, false, null);
      synchronized (clientOut) {
        clientOut.write(data);
        clientOut.flush();
      }
    }

    private void reply(String text, String note) throws IOException {
      log.note(note);
      writeToClient(text.getBytes(StandardCharsets.ISO_8859_1), note);
    }

    private void writeToClient(byte[] data, String note) throws IOException {
      log.record(Direction.PROXY_TO_CLIENT, data, true, false, note);
      synchronized (clientOut) {
        clientOut.write(data);
        clientOut.flush();
      }
    }

    private void relayRaw(InputStream in, OutputStream out, Direction direction) throws IOException {
      byte[] buffer = new byte[16384];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        log.record(direction, Arrays.copyOf(buffer, n), true, false, null);
        out.write(buffer, 0, n);
        out.flush();
      }
    }
  }

  /** The command verb, upper case: {@code MAIL}, {@code EHLO}, {@code STARTTLS}. */
  private static String verb(String line) {
    String trimmed = line.strip();
    int space = trimmed.indexOf(' ');
    return (space < 0 ? trimmed : trimmed.substring(0, space)).toUpperCase(Locale.ROOT);
  }

  private static int code(String line) {
    try {
      return Integer.parseInt(line.substring(0, 3));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** A complete, possibly multi-line reply ({@code 250-...} lines, then {@code 250 ...}), or null at EOF. */
  private static List<byte[]> readReply(InputStream in) throws IOException {
    List<byte[]> lines = new ArrayList<>();
    while (true) {
      byte[] line = readLine(in);
      if (line == null) {
        return lines.isEmpty() ? null : lines;
      }
      lines.add(line);
      if (line.length < 4 || line[3] != '-') {
        return lines;
      }
    }
  }

  /** One line including its line ending, or null at EOF (a final unterminated line is returned). */
  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      line.write(b);
      if (b == '\n' || line.size() >= MAX_LINE) {
        return line.toByteArray();
      }
    }
    return line.size() == 0 ? null : line.toByteArray();
  }

  private static byte[] join(List<byte[]> lines) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    lines.forEach(out::writeBytes);
    return out.toByteArray();
  }

  private static void halfClose(Socket socket) {
    try {
      socket.shutdownOutput();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public String toString() {
    return name + " proxy (" + mode + ") " + address + " -> " + upstream;
  }
}
