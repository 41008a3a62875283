package dev.mailtls.demo;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small SMTP server on an ephemeral port of 127.0.0.1 that accepts any login and any message:
 * EHLO/HELO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. How it treats STARTTLS is
 * what the demonstration varies ({@link StartTls}). It records each connection in an
 * {@link SmtpSession}, every client byte before TLS included.
 */
final class DemoSmtpServer implements Closeable {
    /** How the server (or an attacker in front of it) treats STARTTLS. */
    enum StartTls {
        /** Advertised in the EHLO reply, and TLS starts with the server's certificate. */
        OFFERED,
        /**
         * Removed from the EHLO reply and refused with 502, as an on-path attacker does who rewrites
         * the server's replies: to the client the server seems to have no TLS at all.
         */
        STRIPPED,
        /** Not implemented: a server that has never been configured for TLS. */
        ABSENT
    }

    private static final int READ_TIMEOUT_MILLIS = 30000;
    private static final int MAX_LINE = 65536;

    private final String hostname;
    private final StartTls startTls;
    private final SSLContext tls;
    private final ServerSocket listener;
    private final ServerThreads threads = new ServerThreads("mailtls-demo-smtp");
    private final List<SmtpSession> sessions = new ArrayList<SmtpSession>();

    private DemoSmtpServer(String hostname, StartTls startTls, SSLContext tls, ServerSocket listener) {
        this.hostname = hostname;
        this.startTls = startTls;
        this.tls = tls;
        this.listener = listener;
        threads.start(this::accept);
    }

    /**
     * Starts a server that greets as {@code hostname}.
     *
     * @param tls the server's key and certificate; only used when {@code startTls} is {@link StartTls#OFFERED}
     */
    static DemoSmtpServer start(String hostname, StartTls startTls, SSLContext tls) throws IOException {
        if (startTls == StartTls.OFFERED && tls == null) {
            throw new IllegalArgumentException("a server that offers STARTTLS needs a certificate");
        }
        return new DemoSmtpServer(hostname, startTls, tls, new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
    }

    int port() {
        return listener.getLocalPort();
    }

    /**
     * The connections since the last call, each finished (or given up on after {@code millis}):
     * the client's JVM may be gone before this server's thread has read the end of its connection.
     */
    List<SmtpSession> takeSessions(long millis) throws InterruptedException {
        List<SmtpSession> taken;
        synchronized (sessions) {
            taken = new ArrayList<SmtpSession>(sessions);
            sessions.clear();
        }
        for (SmtpSession session : taken) {
            session.awaitEnd(millis);
        }
        return taken;
    }

    @Override
    public void close() {
        threads.close(listener);
    }

    private void accept() {
        while (!listener.isClosed()) {
            final Socket connection;
            try {
                connection = listener.accept();
            } catch (IOException closed) {
                return;
            }
            final SmtpSession session = new SmtpSession();
            synchronized (sessions) {
                sessions.add(session);
            }
            threads.startConnection(connection, () -> {
                try {
                    serve(connection, session);
                } catch (IOException clientGone) {
                    // A client that hangs up, or rejects our certificate during the handshake, ends its session.
                } finally {
                    session.end();
                }
            });
        }
    }

    private void serve(Socket socket, SmtpSession session) throws IOException {
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        boolean secure = false;
        reply(out, "220 " + hostname + " ESMTP MailTLS Guard demo server");
        String line;
        while ((line = readLine(in, secure ? null : session)) != null) {
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            switch (verb) {
                case "EHLO":
                    reply(out, "250-" + hostname + "\r\n" + (startTls == StartTls.OFFERED && !secure ? "250-STARTTLS\r\n" : "")
                            + "250-AUTH PLAIN\r\n250 8BITMIME");
                    break;
                case "HELO":
                    reply(out, "250 " + hostname);
                    break;
                case "STARTTLS":
                    if (startTls != StartTls.OFFERED || secure) {
                        reply(out, "502 5.5.1 Command not implemented");
                        break;
                    }
                    reply(out, "220 2.0.0 Ready to start TLS");
                    SSLSocket tlsSocket = (SSLSocket) tls.getSocketFactory().createSocket(socket,
                            socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                    tlsSocket.setUseClientMode(false);
                    tlsSocket.startHandshake();
                    in = tlsSocket.getInputStream();
                    out = tlsSocket.getOutputStream();
                    secure = true;
                    break;
                case "AUTH":
                    String[] words = line.split(" ");
                    if (words.length < 2 || !words[1].equalsIgnoreCase("PLAIN")) {
                        reply(out, "504 5.5.4 Unrecognized authentication type");
                        break;
                    }
                    if (words.length < 3) {
                        // AUTH PLAIN without an initial response: the credentials follow on a line of their own.
                        reply(out, "334 ");
                        readLine(in, secure ? null : session);
                    }
                    reply(out, "235 2.7.0 Authentication successful");
                    break;
                case "MAIL":
                    reply(out, "250 2.1.0 Sender OK");
                    break;
                case "RCPT":
                    reply(out, "250 2.1.5 Recipient OK");
                    break;
                case "DATA":
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    String content;
                    do {
                        content = readLine(in, secure ? null : session);
                    } while (content != null && !content.equals("."));
                    if (content == null) {
                        return;
                    }
                    session.messageAccepted();
                    reply(out, "250 2.0.0 Message accepted for delivery");
                    break;
                case "RSET":
                case "NOOP":
                    reply(out, "250 2.0.0 OK");
                    break;
                case "QUIT":
                    reply(out, "221 2.0.0 Bye");
                    return;
                default:
                    reply(out, "502 5.5.2 Command not recognized");
            }
        }
    }

    /**
     * One line without its CRLF, or {@code null} at the end of the stream. Reads byte by byte: a
     * buffer could swallow the start of the TLS handshake that follows STARTTLS. In plaintext the
     * raw bytes go to {@code record}.
     */
    private static String readLine(InputStream in, SmtpSession record) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n' || line.size() >= MAX_LINE) {
                break;
            }
        }
        if (line.size() == 0) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        if (record != null) {
            record.recordPlaintext(bytes);
        }
        return new String(bytes, StandardCharsets.UTF_8).replaceAll("\r?\n$", "");
    }

    private static void reply(OutputStream out, String lines) throws IOException {
        out.write((lines + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
