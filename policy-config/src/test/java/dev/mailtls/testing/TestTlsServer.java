package dev.mailtls.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A JDK TLS server on a loopback ephemeral port, presenting a chosen chain (expired or wrongly
 * named certificates included: the JDK's {@code SunX509} key manager does not care). It completes
 * one handshake per connection, records what the client asked for, then echoes bytes until the
 * client closes. For handshake tests of client trust managers; close it after use.
 *
 * <pre>{@code
 * try (TestTlsServer server = TestTlsServer.start(pki.leaf(), pki.chainWithoutRoot())) {
 *     ... connect to server.port() ...
 *     TestTlsServer.Handshake handshake = server.nextHandshake();
 * }
 * }</pre>
 */
public final class TestTlsServer implements AutoCloseable {
    /** What the server saw of one client handshake. */
    public record Handshake(String serverName, String protocol, List<X509Certificate> clientChain, IOException failure) {
    }

    private final SSLServerSocket serverSocket;
    private final BlockingQueue<Handshake> handshakes = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    private TestTlsServer(SSLServerSocket serverSocket) {
        this.serverSocket = serverSocket;
        this.acceptor = new Thread(this::acceptLoop, "test-tls-server-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A server presenting {@code chain} (whose first certificate is {@code key}'s) with the JDK's default protocols. */
    public static TestTlsServer start(TestCertificate key, List<X509Certificate> chain) throws IOException, GeneralSecurityException {
        return start(key, chain, false);
    }

    /**
     * @param wantClientCertificate whether to request (not require) a client certificate, to see
     *        which one the client sends
     * @param protocols the protocols to enable, or none for the JDK defaults
     */
    public static TestTlsServer start(TestCertificate key, List<X509Certificate> chain, boolean wantClientCertificate,
            String... protocols) throws IOException, GeneralSecurityException {
        char[] password = "test".toCharArray();
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("SunX509");
        keyManagers.init(key.keyStore("server", password, chain), password);
        SSLContext context = SSLContext.getInstance("TLS");
        // Trust every client certificate: the tests look at which one arrived, not whether it is valid.
        context.init(keyManagers.getKeyManagers(), new TrustManager[] {new AcceptingTrustManager()}, null);
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
        if (protocols.length > 0) {
            socket.setEnabledProtocols(protocols);
        }
        socket.setWantClientAuth(wantClientCertificate);
        return new TestTlsServer(socket);
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public InetAddress address() {
        return serverSocket.getInetAddress();
    }

    /** The next handshake the server completed or failed, waiting up to 10 seconds. */
    public Handshake nextHandshake() throws InterruptedException {
        Handshake handshake = handshakes.poll(10, TimeUnit.SECONDS);
        if (handshake == null) {
            throw new AssertionError("no TLS handshake reached the test server on port " + port() + " within 10 s");
        }
        return handshake;
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket accepted = serverSocket.accept();
                Thread connection = new Thread(() -> serve((SSLSocket) accepted), "test-tls-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SSLSocket socket) {
        try (socket) {
            try {
                socket.startHandshake();
            } catch (IOException e) {
                handshakes.add(new Handshake(requestedName(socket), null, List.of(), e));
                return;
            }
            List<X509Certificate> clientChain = new ArrayList<>();
            try {
                for (Certificate certificate : socket.getSession().getPeerCertificates()) {
                    clientChain.add((X509Certificate) certificate);
                }
            } catch (SSLPeerUnverifiedException e) {
                // The client sent no certificate; clientChain stays empty.
            }
            handshakes.add(new Handshake(requestedName(socket), socket.getSession().getProtocol(), clientChain, null));
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[256];
            for (int n; (n = in.read(buffer)) > 0;) {
                socket.getOutputStream().write(buffer, 0, n);
                socket.getOutputStream().flush();
            }
        } catch (IOException e) {
            // The client went away; nothing to record after the handshake.
        }
    }

    private static String requestedName(SSLSocket socket) {
        SSLSession session = socket.getHandshakeSession() != null ? socket.getHandshakeSession() : socket.getSession();
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    return host.getAsciiName();
                }
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }

    private static final class AcceptingTrustManager extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
