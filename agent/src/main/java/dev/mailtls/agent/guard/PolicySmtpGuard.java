package dev.mailtls.agent.guard;

import dev.mailtls.agent.bootstrap.SmtpGuard;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.policy.DestinationPolicy;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.PolicyMatch;
import dev.mailtls.policy.TlsLevel;
import java.io.IOException;
import java.net.Socket;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * The {@link SmtpGuard} that enforces a deployment's {@link MailTlsConfig}: it decides STARTTLS
 * per destination, puts its own socket factory into every SMTP TLS handshake, and translates the
 * refusals into SMTP-coded exceptions. One log line per connection decision. Thread-safe; the
 * state of a connection attempt lives in a thread local from {@code protocolConnect}'s start to
 * its end, and holds no application objects.
 */
public final class PolicySmtpGuard implements SmtpGuard {
    static final Logger LOG = Logger.getLogger("dev.mailtls.agent");
    private static final String NO_STARTTLS = "STARTTLS is required but host does not support STARTTLS";

    private final MailTlsConfig config;
    private final HandshakeFactory handshakes;
    private final ThreadLocal<ConnectionAttempt> current = new ThreadLocal<>();

    PolicySmtpGuard(MailTlsConfig config, HandshakeFactory handshakes) {
        this.config = config;
        this.handshakes = handshakes;
    }

    /** The guard for {@code config}. */
    public static PolicySmtpGuard forConfig(MailTlsConfig config) {
        return new PolicySmtpGuard(config, new InterimHandshakes());
    }

    @Override
    public int connectStarting(Object transport, String protocol, String host, int port) {
        // protocolConnect's own default when the application names no host.
        String destination = host == null ? "localhost" : host;
        ConnectionAttempt attempt = new ConnectionAttempt(protocol, destination, config.policies().match(destination));
        current.set(attempt);
        return startTlsMode(attempt.match.policy());
    }

    private static int startTlsMode(DestinationPolicy policy) {
        if (policy.level() == TlsLevel.NONE) {
            return STARTTLS_OFF;
        }
        if (policy.level() == TlsLevel.MAY || policy.action() == PolicyAction.AUDIT) {
            // audit: the best available, and a logged violation when that is plaintext.
            return STARTTLS_TRY;
        }
        if (policy.level() == TlsLevel.DANE && policy.daneFallback() == TlsLevel.MAY) {
            // Until DNS is consulted here, dane with fallback=may cannot know whether TLS is mandatory.
            return STARTTLS_TRY;
        }
        return STARTTLS_REQUIRE;
    }

    @Override
    public Properties startTlsProperties(Properties props, String prefix, String host, int port) throws IOException {
        Properties copy = TlsProperties.copy(props, prefix);
        useOurHandshake(copy, prefix, attemptFor(host), port);
        return copy;
    }

    @Override
    public Properties socketProperties(Properties props, String prefix, String host, int port, boolean useSsl)
            throws IOException {
        Properties copy = TlsProperties.copy(props, prefix);
        if (useSsl || TlsProperties.hasSslSocketFactory(copy, prefix)) {
            useOurHandshake(copy, prefix, attemptFor(host), port);
        }
        return copy;
    }

    private void useOurHandshake(Properties copy, String prefix, ConnectionAttempt attempt, int port) throws IOException {
        if (attempt.match.policy().level() == TlsLevel.NONE) {
            // The application asked for TLS on its own; level none neither requires nor checks it.
            return;
        }
        Object displaced;
        try {
            displaced = TlsProperties.install(copy, prefix, handshakes.socketFactory(attempt, port), config.tls().protocols());
        } catch (IOException | RuntimeException cannotSetUp) {
            // Recorded so that the connection's failure is reported as the policy's 4.7.5, not as a network error.
            attempt.refusal.set("cannot set up the verified TLS handshake: " + cannotSetUp);
            throw cannotSetUp instanceof IOException ? (IOException) cannotSetUp
                    : new IOException("MailTLS Guard internal error: " + cannotSetUp, cannotSetUp);
        }
        if (displaced != null) {
            LOG.warning("mailtls: " + attempt.host + ": the application's own TLS socket factory ("
                    + displaced.getClass().getName() + ") is replaced by the policy's; a client certificate it"
                    + " carried is not presented");
        }
    }

    /** The attempt of this thread; a socket made outside {@code protocolConnect} gets one of its own. */
    private ConnectionAttempt attemptFor(String host) {
        ConnectionAttempt attempt = current.get();
        if (attempt == null) {
            String destination = host == null ? "localhost" : host;
            attempt = new ConnectionAttempt("smtp", destination, config.policies().match(destination));
        }
        return attempt;
    }

    @Override
    public Throwable connectFinished(Object transport, Throwable thrown, Socket socket) {
        ConnectionAttempt attempt = current.get();
        current.remove();
        if (attempt == null) {
            return thrown;
        }
        try {
            return decide(transport, attempt, thrown, socket);
        } catch (RuntimeException | LinkageError bug) {
            // An error of our own must not let a connection through, nor reach the application as a bare RuntimeException.
            LOG.log(Level.SEVERE, "mailtls: internal error deciding on the connection to " + attempt.host, bug);
            close(transport);
            return SmtpPolicyFailure.create(transport, 454, "454 4.7.5 MailTLS Guard internal error (" + bug
                    + "); message deferred, see the application's log", thrown != null ? thrown : bug);
        }
    }

    private Throwable decide(Object transport, ConnectionAttempt attempt, Throwable thrown, Socket socket) {
        PolicyMatch match = attempt.match;
        DestinationPolicy policy = match.policy();
        boolean tls = socket instanceof SSLSocket;
        if (thrown == null) {
            if (!tls && requiresTls(policy)) {
                // Defence in depth: requireStartTLS should have stopped this already.
                close(transport);
                return refuse(transport, attempt, 4, "TLS is required, but the connection to " + attempt.host
                        + " is in plaintext", null);
            }
            logEstablished(attempt, socket, tls);
            return null;
        }
        String refusal = attempt.refusal.get();
        if (refusal != null) {
            return refuse(transport, attempt, 5, "Server certificate not verified: " + refusal, thrown);
        }
        if (NO_STARTTLS.equals(thrown.getMessage())) {
            return refuse(transport, attempt, 4, "TLS is required, but was not offered by host " + attempt.host, thrown);
        }
        SSLException handshake = find(thrown, SSLException.class);
        if (handshake != null && policy.level() != TlsLevel.NONE) {
            return refuse(transport, attempt, 5, "TLS handshake with " + attempt.host + " failed: " + handshake.getMessage(),
                    thrown);
        }
        String message = thrown.getMessage();
        if (message != null && message.startsWith("454") && requiresTls(policy)) {
            return refuse(transport, attempt, 4, "TLS is required, but host " + attempt.host + " refused to start TLS: "
                    + message.trim(), thrown);
        }
        // Not a policy matter (connection refused, authentication failed, ...): the application's as is.
        return thrown;
    }

    private static boolean requiresTls(DestinationPolicy policy) {
        return startTlsMode(policy) == STARTTLS_REQUIRE;
    }

    private Throwable refuse(Object transport, ConnectionAttempt attempt, int detail, String what, Throwable cause) {
        LOG.warning("mailtls: " + attempt.protocol + " connection to " + attempt.host + " refused: " + what
                + "; level=" + attempt.match.policy().level() + " action=" + attempt.match.policy().action()
                + " (" + attempt.match.rule().key() + ")");
        return SmtpPolicyFailure.forRule(transport, attempt.match.rule(), detail, what, cause);
    }

    private static void logEstablished(ConnectionAttempt attempt, Socket socket, boolean tls) {
        String peer = socket == null || socket.getInetAddress() == null ? attempt.host
                : attempt.host + "[" + socket.getInetAddress().getHostAddress() + "]:" + socket.getPort();
        DestinationPolicy policy = attempt.match.policy();
        if (tls) {
            SSLSession session = ((SSLSocket) socket).getSession();
            LOG.info("mailtls: Untrusted TLS connection established to " + peer + ": " + session.getProtocol()
                    + " with cipher " + session.getCipherSuite() + "; level=" + policy.level());
        } else if (policy.level() == TlsLevel.NONE || policy.level() == TlsLevel.MAY) {
            LOG.info("mailtls: plaintext connection to " + peer + "; level=" + policy.level());
        } else {
            LOG.log(Level.WARNING, "mailtls: AUDIT: plaintext connection to " + peer + " violates level=" + policy.level()
                    + " (" + attempt.match.rule().key() + "); sending anyway because action=audit");
        }
    }

    private static void close(Object transport) {
        try {
            transport.getClass().getMethod("close").invoke(transport);
        } catch (ReflectiveOperationException | RuntimeException closeFailed) {
            LOG.log(Level.FINE, "mailtls: closing the refused connection failed", closeFailed);
        }
    }

    private static <T extends Throwable> T find(Throwable thrown, Class<T> type) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }
}
