package dev.mailtls.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The client TLS setup for one destination under one {@link VerificationRequirement}: an
 * {@link SSLContext} whose only trust manager is a {@link VerifyingTrustManager}, plus the
 * {@link SSLParameters} every connection gets: the protocols of {@link TlsSettings#protocols()},
 * SNI set to {@link Builder#serverName} (the TLSA base domain under DANE, RFC 7672 §8.1; otherwise
 * the host name), and no JDK endpoint identification (the trust manager owns the name check; under
 * DANE-EE there is none to make).
 *
 * <p><b>Reuse.</b> Build one per destination and requirement and reuse it for every connection
 * to that destination while the TLSA set (or trust store and names) is unchanged: the trust
 * manager keeps no connection state, and records each connection's {@link VerificationOutcome}
 * in that connection's own session. Sessions are resumed only within one context, so a resumed
 * connection was verified under the same requirement. When the TLSA records change, build a new
 * context: building costs about as much as one {@code SSLContext.init}.
 *
 * <p><b>No Nagle.</b> Every socket of {@link #socketFactory()}, and the plain socket a STARTTLS
 * connection is layered on, gets {@code TCP_NODELAY}. SMTP is a lockstep of small commands and
 * replies, and TLS writes a command as a record the peer must acknowledge before Nagle's algorithm
 * lets the next small write go; with delayed acknowledgements that stalls each round trip by
 * about 40 ms. A socket that cannot take the option fails (and is closed) rather than connecting.
 *
 * <p><b>Client certificates.</b> Key managers passed to {@link Builder#keyManagers} are kept, so an
 * application's client certificate still works; only the trust decision is replaced.
 */
public final class ClientTlsContext {
    private final VerificationRequirement requirement;
    private final SSLContext sslContext;
    private final List<String> protocols;
    private final String serverName;
    private final SSLSocketFactory socketFactory;
    /**
     * {@link #sslParameters()} as applied to every socket and engine, made once: the JDK makes a
     * whole unconnected TLS socket, buffers and all, to answer {@code getDefaultSSLParameters}, about
     * 150 KB of garbage per connection otherwise. Never handed out ({@code setSSLParameters} copies
     * what it reads); racing threads may each make one, which is harmless.
     */
    private volatile SSLParameters applied;

    private ClientTlsContext(Builder builder, SSLContext sslContext) {
        this.requirement = builder.requirement;
        this.sslContext = sslContext;
        this.protocols = builder.protocols;
        this.serverName = builder.serverName;
        this.socketFactory = new ConfiguringSocketFactory(sslContext.getSocketFactory());
    }

    public static Builder builder(VerificationRequirement requirement) {
        return new Builder(requirement);
    }

    public VerificationRequirement requirement() {
        return requirement;
    }

    /**
     * The context itself, for APIs that take one (e.g. Netty or an {@code SSLEngine}). Sockets and
     * engines made from it directly lack the SNI and protocol settings: apply {@link #sslParameters()}
     * or use {@link #socketFactory()} / {@link #createEngine}.
     */
    public SSLContext sslContext() {
        return sslContext;
    }

    /** A socket factory whose every socket is {@linkplain #configure configured}; hand it to the mail library. */
    public SSLSocketFactory socketFactory() {
        return socketFactory;
    }

    /** The parameters applied to each connection (a fresh copy; changing it changes nothing here). */
    public SSLParameters sslParameters() {
        SSLParameters parameters = sslContext.getDefaultSSLParameters();
        parameters.setProtocols(protocols.toArray(new String[0]));
        if (serverName != null) {
            parameters.setServerNames(Collections.<SNIServerName>singletonList(new SNIHostName(serverName)));
        }
        parameters.setEndpointIdentificationAlgorithm(null);
        return parameters;
    }

    /** Applies {@link #sslParameters()} to a socket made elsewhere from {@link #sslContext()}; returns it. */
    public SSLSocket configure(SSLSocket socket) {
        socket.setUseClientMode(true);
        socket.setSSLParameters(applied());
        return socket;
    }

    /** A configured client engine for {@code host} and {@code port} (the port names the session-cache entry). */
    public SSLEngine createEngine(String host, int port) {
        SSLEngine engine = sslContext.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        engine.setSSLParameters(applied());
        return engine;
    }

    private SSLParameters applied() {
        SSLParameters parameters = applied;
        if (parameters == null) {
            parameters = sslParameters();
            applied = parameters;
        }
        return parameters;
    }

    /** The SNI name sent, or {@code null} when the JDK chooses (see {@link Builder#serverName}). */
    public String serverName() {
        return serverName;
    }

    /** The protocols enabled, e.g. {@code [TLSv1.3, TLSv1.2]}. */
    public List<String> protocols() {
        return protocols;
    }

    @Override
    public String toString() {
        return "ClientTlsContext[" + requirement + "; sni=" + serverName + "; protocols=" + protocols + "]";
    }

    /** Collects what the context needs; {@link #build()} validates the protocol names and the SNI name. */
    public static final class Builder {
        private final VerificationRequirement requirement;
        private List<String> protocols = Arrays.asList("TLSv1.3", "TLSv1.2");
        private String serverName;
        private KeyManager[] keyManagers;

        private Builder(VerificationRequirement requirement) {
            if (requirement == null) {
                throw new NullPointerException("requirement");
            }
            this.requirement = requirement;
        }

        /** The protocols to enable; default {@code TLSv1.3, TLSv1.2} (RFC 8996 retired the older ones). */
        public Builder protocols(List<String> protocols) {
            if (protocols.isEmpty()) {
                throw new IllegalArgumentException("at least one TLS protocol must be enabled");
            }
            this.protocols = Collections.unmodifiableList(new ArrayList<String>(protocols));
            return this;
        }

        /** Takes the protocols from {@code settings}. */
        public Builder settings(TlsSettings settings) {
            return protocols(settings.protocols());
        }

        /**
         * The SNI name: under DANE the TLSA base domain (RFC 7672 §8.1), otherwise the server's host
         * name. {@code null} (the default) leaves the choice to the JDK, which sends the host name
         * given to {@code createSocket} when it is a DNS name and no SNI for an address; without
         * SNI some servers present a default certificate that then fails verification.
         */
        public Builder serverName(String serverName) {
            this.serverName = serverName == null ? null
                    : serverName.endsWith(".") ? serverName.substring(0, serverName.length() - 1) : serverName;
            return this;
        }

        /** The application's key managers (its client certificate), or {@code null} for none. */
        public Builder keyManagers(KeyManager... keyManagers) {
            this.keyManagers = keyManagers == null ? null : keyManagers.clone();
            return this;
        }

        /**
         * @throws IllegalArgumentException for a protocol this JVM does not support, or an SNI name that is not a host name
         * @throws GeneralSecurityException when the JVM cannot make a TLS context
         */
        public ClientTlsContext build() throws GeneralSecurityException {
            if (serverName != null) {
                try {
                    new SNIHostName(serverName);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("SNI name \"" + serverName + "\" is not a valid host name: " + e.getMessage(), e);
                }
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, new TrustManager[] {new VerifyingTrustManager(requirement)}, null);
            List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getProtocols());
            for (String protocol : protocols) {
                if (!supported.contains(protocol)) {
                    throw new IllegalArgumentException("TLS protocol \"" + protocol + "\" is not supported by this JVM; supported: "
                            + supported);
                }
            }
            return new ClientTlsContext(this, context);
        }
    }

    /**
     * Delegates to the context's factory and configures each socket before its handshake: STARTTLS
     * layering ({@link #createSocket(Socket, String, int, boolean)}) as well as implicit TLS.
     */
    private final class ConfiguringSocketFactory extends DelegatingSslSocketFactory {
        ConfiguringSocketFactory(SSLSocketFactory delegate) {
            super(delegate);
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            // STARTTLS: the plain socket carries the handshake, so it must not wait for Nagle either.
            noDelay(socket);
            return super.createSocket(socket, host, port, autoClose);
        }

        @Override
        protected Socket made(Socket socket) throws IOException {
            return prepare((SSLSocket) socket);
        }

        /** {@link #configure} plus {@code TCP_NODELAY}; on any failure the socket is closed, never handed out half set up. */
        private SSLSocket prepare(SSLSocket socket) throws IOException {
            noDelay(socket);
            try {
                return configure(socket);
            } catch (RuntimeException unusable) {
                closeQuietly(socket, unusable);
                throw unusable;
            }
        }

        /** Sets {@code TCP_NODELAY} on {@code socket}; on failure closes it and rethrows. */
        private void noDelay(Socket socket) throws IOException {
            try {
                socket.setTcpNoDelay(true);
            } catch (IOException | RuntimeException failed) {
                closeQuietly(socket, failed);
                throw failed;
            }
        }

        private void closeQuietly(Socket socket, Throwable reason) {
            try {
                socket.close();
            } catch (IOException | RuntimeException alsoFailed) {
                reason.addSuppressed(alsoFailed);
            }
        }

        @Override
        public String toString() {
            return "socket factory of " + ClientTlsContext.this;
        }
    }
}
