package dev.mailtls.agent.guard;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.logging.Level;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocket;

/**
 * The application's own non-TLS socket factory ({@code prefix.socketFactory[.class]} on a
 * connection that starts in plaintext), held to plain sockets while the policy requires TLS.
 * The mail library takes a TLS socket from any factory as TLS already made: it skips STARTTLS
 * ("already using SSL") and sends EHLO and AUTH over a handshake that the application's factory
 * verified (or not), never the policy. A factory that hands out TLS sockets anyway (a plain
 * {@code SocketFactory} subclass wrapping TLS) therefore fails the connection before it is made:
 * the socket is closed and the attempt refused as not verified (4.7.5). Plain sockets pass
 * unchanged, and STARTTLS on them is the policy's.
 */
final class PlainSocketsOnly extends SocketFactory {
    private final SocketFactory applications;
    private final String property;
    private final ConnectionAttempt attempt;

    /**
     * @param property where the application configured the factory, for the message
     * @param attempt what the refusal is recorded on
     */
    PlainSocketsOnly(SocketFactory applications, String property, ConnectionAttempt attempt) {
        this.applications = applications;
        this.property = property;
        this.attempt = attempt;
    }

    @Override
    public Socket createSocket() throws IOException {
        return plain(applications.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return plain(applications.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return plain(applications.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return plain(applications.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return plain(applications.createSocket(address, port, localAddress, localPort));
    }

    private Socket plain(Socket socket) throws IOException {
        if (!(socket instanceof SSLSocket)) {
            return socket;
        }
        try {
            socket.close();
        } catch (IOException closeFailed) {
            PolicySmtpGuard.LOG.log(Level.FINE, "mailtls: closing a refused socket failed", closeFailed);
        }
        attempt.setupFailure = "the socket factory " + applications.getClass().getName() + " that " + property
                + " gives is no TLS socket factory but made a TLS socket, whose handshake MailTLS Guard cannot"
                + " verify: configure it as " + property.replace(".socketFactory", ".ssl.socketFactory")
                + " (STARTTLS) or as a javax.net.ssl.SSLSocketFactory (TLS on connect), or remove it";
        throw new IOException("MailTLS Guard: " + attempt.setupFailure);
    }
}
