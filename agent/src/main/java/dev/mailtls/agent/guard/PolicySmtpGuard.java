package dev.mailtls.agent.guard;

import dev.mailtls.agent.bootstrap.SmtpGuard;
import dev.mailtls.agent.queue.AgentQueue;
import dev.mailtls.agent.queue.NotQueuedException;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.engine.ConnectionFailure;
import dev.mailtls.engine.ConnectionRequirement;
import dev.mailtls.engine.ConnectionTrust;
import dev.mailtls.engine.PolicyEngine;
import dev.mailtls.engine.RefusalReply;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.PolicyMatch;
import dev.mailtls.tls.ClientTlsContext;
import dev.mailtls.tls.VerificationOutcome;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The {@link SmtpGuard} that enforces a deployment's policy through the {@link PolicyEngine}: at
 * the start of each SMTP connection it asks the engine what the connection must achieve (DNSSEC
 * and TLSA lookups included), sets STARTTLS accordingly, puts a socket factory whose trust manager
 * enforces that requirement into every handshake, and translates refusals into SMTP-coded
 * exceptions. One log line per connection; every connection it governs gets {@code TCP_NODELAY}.
 * Thread-safe; the state of an attempt lives in a thread local from {@code protocolConnect}'s
 * start to its end and holds application objects for that span only.
 *
 * <p>With a durable queue ({@code mailtls.queue.dir}, see {@link AgentQueue}) a deferral on an
 * application thread does not fail the connection: the transport is left connected with no
 * socket and the messages sent on it are stored and retried. Rejections, audits, internal errors
 * and failures that are not the policy's (a wrong password, a refused recipient) are unchanged.
 */
public final class PolicySmtpGuard implements SmtpGuard {
    static final Logger LOG = Logger.getLogger("dev.mailtls.agent");

    private final PolicyEngine engine;
    /** Where deferred messages go; {@code null} without {@code mailtls.queue.dir}: a deferral fails the send. */
    private final AgentQueue queue;
    private final ThreadLocal<ConnectionAttempt> current = new ThreadLocal<>();
    private final ApplicationClientKeys clientKeys = new ApplicationClientKeys();

    PolicySmtpGuard(PolicyEngine engine) {
        this(engine, null);
    }

    PolicySmtpGuard(PolicyEngine engine, AgentQueue queue) {
        this.engine = engine;
        this.queue = queue;
    }

    /**
     * The guard for {@code config}: starts its DNS resolver and loads its trust store.
     *
     * @throws IOException if the trust store cannot be read
     * @throws GeneralSecurityException if the trust store holds no usable certificate
     */
    public static PolicySmtpGuard forConfig(MailTlsConfig config) throws IOException, GeneralSecurityException {
        return forConfig(config, null);
    }

    /** As {@link #forConfig(MailTlsConfig)}, with deferrals going into {@code queue} ({@code null}: none). */
    public static PolicySmtpGuard forConfig(MailTlsConfig config, AgentQueue queue)
            throws IOException, GeneralSecurityException {
        return new PolicySmtpGuard(PolicyEngine.create(config), queue);
    }

    @Override
    public int connectStarting(Object transport, Object session, String protocol, String host, int port, String user,
            String password) throws Exception {
        // protocolConnect's own defaults: no host means localhost, no port means the session's or the protocol's.
        String destination = host == null ? "localhost" : host;
        int effectivePort = port != -1 ? port : SessionPorts.configuredPort(session, protocol);
        ConnectionAttempt attempt;
        try {
            if (queue != null) {
                queue.connecting(transport, protocol, destination, effectivePort, user, password);
            }
            PolicyMatch match = engine.match(destination);
            // A user name without a password authenticates nothing: Service.connect puts the local
            // user.name there when the application gives none.
            attempt = new ConnectionAttempt(protocol, engine.forHost(match, destination, effectivePort), destination,
                    effectivePort, password == null ? null : user, session, transport.getClass());
        } catch (RuntimeException | LinkageError bug) {
            LOG.log(Level.SEVERE, "mailtls: internal error deciding on the connection to " + destination, bug);
            throw SmtpPolicyFailure.create(transport, 454, "454 4.7.5 MailTLS Guard internal error (" + bug
                    + "); message deferred, see the application's log", bug);
        }
        ConnectionRequirement requirement = attempt.requirement;
        if (requirement.kind() == ConnectionRequirement.Kind.REFUSED) {
            if (!audit(requirement)) {
                if (queueable(requirement) && (user == null || password == null)
                        && SessionPorts.requiresAuth(session, protocol)) {
                    // No decision yet: the library returns false before connecting, asks the
                    // Authenticator and calls again with the password, which the queue must keep.
                    return CREDENTIALS_FIRST;
                }
                Throwable refusal = refuse(transport, attempt, RefusalReply.NOT_VERIFIED, requirement.reason(), null);
                if (queued(transport, attempt)) {
                    return QUEUED;
                }
                throw (Exception) refusal;
            }
            LOG.warning("mailtls: AUDIT: " + describe(attempt) + ": " + requirement.reason()
                    + "; connecting anyway with the best TLS available because action=audit");
        }
        current.set(attempt);
        return startTlsMode(requirement);
    }

    private static int startTlsMode(ConnectionRequirement requirement) {
        switch (requirement.kind()) {
            case NONE:
                return STARTTLS_OFF;
            case MAY:
                return STARTTLS_TRY;
            default:
                // audit: the best available, and a logged violation when that turns out to be plaintext.
                return audit(requirement) ? STARTTLS_TRY : STARTTLS_REQUIRE;
        }
    }

    private static boolean audit(ConnectionRequirement requirement) {
        return requirement.match().policy().action() == PolicyAction.AUDIT;
    }

    @Override
    public Properties startTlsProperties(Properties props, String prefix, String host, int port) throws IOException {
        Properties copy = TlsProperties.copy(props, prefix);
        useOurHandshake(copy, prefix, attemptFor(host, port), port, null);
        return copy;
    }

    @Override
    public Properties socketProperties(Properties props, String prefix, String host, int port, boolean useSsl)
            throws IOException {
        String fallback = prefix + ".socketFactory.fallback";
        // As the library's PropUtil reads it: a String or a Boolean, possibly among the defaults, true unless "false".
        Object fallbackValue = props.get(fallback) != null ? props.get(fallback) : props.getProperty(fallback);
        boolean fallsBack = !"false".equalsIgnoreCase(String.valueOf(fallbackValue));
        Properties copy = TlsProperties.copy(props, prefix);
        ConnectionAttempt attempt = attemptFor(host, port);
        if (attempt.requirement.kind() == ConnectionRequirement.Kind.NONE) {
            // Level none neither requires nor checks TLS: the application's settings stay, the library decides.
            return copy;
        }
        SocketFactory connecting;
        try {
            connecting = TlsProperties.pinConnectFactory(copy, prefix, useSsl, attempt.factoryClasses,
                    fallsBack ? fallback : null);
        } catch (IOException cannotMake) {
            attempt.setupFailure = cannotMake.getMessage();
            throw cannotMake;
        }
        if (useSsl || connecting instanceof SSLSocketFactory) {
            useOurHandshake(copy, prefix, attempt, port, connecting);
        } else if (connecting != null && attempt.requirement.kind().tlsRequired() && !audit(attempt.requirement)) {
            String property = props.get(prefix + ".socketFactory") instanceof SocketFactory ? prefix + ".socketFactory"
                    : prefix + ".socketFactory.class";
            copy.put(prefix + ".socketFactory", new PlainSocketsOnly(connecting, property, attempt));
        }
        return copy;
    }

    /**
     * @param connecting the factory that {@code SocketFetcher.getSocket} connects with, from
     *     {@link TlsProperties#pinConnectFactory}; {@code null} for STARTTLS (and TLS on connect without one)
     */
    private void useOurHandshake(Properties copy, String prefix, ConnectionAttempt attempt, int port,
            SocketFactory connecting) throws IOException {
        ConnectionRequirement requirement = attempt.requirement;
        if (requirement.kind() == ConnectionRequirement.Kind.NONE) {
            // The application asked for TLS on its own; level none neither requires nor checks it.
            return;
        }
        if (requirement.port() != port && requirement.match().policy().level().usesDane()) {
            // TLSA records are per port; the one dialled differs from the one decided on.
            attempt = attempt.with(engine.forHost(requirement.match(), attempt.host(), port));
            if (current.get() != null) {
                current.set(attempt);
            }
        }
        // STARTTLS was accepted, or TLS starts on connect: an error reply from now on refuses no STARTTLS.
        attempt.tlsStarted = true;
        boolean refused = attempt.requirement.kind() == ConnectionRequirement.Kind.REFUSED && !audit(attempt.requirement);
        try {
            if (refused) {
                throw new IOException(attempt.requirement.reason());
            }
            ClientTlsContext context = engine.tlsContext(attempt.requirement);
            boolean startTls = connecting == null;
            SSLSocketFactory applications = startTls
                    ? TlsProperties.startTlsFactory(copy, prefix, attempt.factoryClasses)
                    : connecting instanceof SSLSocketFactory ? (SSLSocketFactory) connecting : null;
            if (applications != null) {
                context = clientKeys.keep(context, applications, attempt.host());
            }
            TlsProperties.install(copy, prefix, context.socketFactory(), engine.config().tls().protocols(),
                    connecting instanceof SSLSocketFactory);
        } catch (IOException | GeneralSecurityException | RuntimeException cannotSetUp) {
            // Recorded so that the connection's failure is reported as the policy's 4.7.5, not as a network error;
            // under action=audit the requirement's reason is no refusal, and the setup error is the cause.
            attempt.setupFailure = refused ? attempt.requirement.reason()
                    : cannotSetUp instanceof IOException ? cannotSetUp.getMessage()
                    : "cannot set up the verified TLS handshake: " + cannotSetUp;
            throw cannotSetUp instanceof IOException ? (IOException) cannotSetUp
                    : new IOException("MailTLS Guard: " + attempt.setupFailure, cannotSetUp);
        }
    }

    /**
     * The attempt of this thread; a socket made outside {@code protocolConnect} gets one of its own,
     * for this socket only (kept out of the thread local, which only protocolConnect clears).
     */
    private ConnectionAttempt attemptFor(String host, int port) {
        ConnectionAttempt attempt = current.get();
        if (attempt == null) {
            String destination = host == null ? "localhost" : host;
            attempt = ConnectionAttempt.ofSocket(engine.forHost(engine.match(destination), destination, port));
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
            Throwable outcome = decide(transport, attempt, thrown, socket);
            if (outcome != null && outcome == attempt.deferral && queued(transport, attempt)) {
                // The socket is closed already; the advice leaves the transport connected without one.
                return null;
            }
            return outcome;
        } catch (RuntimeException | LinkageError bug) {
            // An error of our own must not let a connection through, nor reach the application as a bare RuntimeException.
            LOG.log(Level.SEVERE, "mailtls: internal error deciding on the connection to " + attempt.host(), bug);
            close(socket);
            return SmtpPolicyFailure.create(transport, 454, "454 4.7.5 MailTLS Guard internal error (" + bug
                    + "); message deferred, see the application's log", thrown != null ? thrown : bug);
        }
    }

    private Throwable decide(Object transport, ConnectionAttempt attempt, Throwable thrown, Socket socket) {
        ConnectionRequirement requirement = attempt.requirement;
        boolean tls = socket instanceof SSLSocket;
        if (thrown == null && socket == null) {
            // protocolConnect returned false before connecting: authentication is required but no
            // credentials were given, so Service.connect asks the application's Authenticator and
            // calls protocolConnect again, which the policy then decides anew. Nothing was sent.
            return null;
        }
        if (thrown == null) {
            if (!tls && requirement.kind().tlsRequired() && !audit(requirement)) {
                // Defence in depth: requireStartTLS should have stopped this already.
                close(socket);
                return refuse(transport, attempt, RefusalReply.TLS_NOT_AVAILABLE,
                        "TLS is required, but the connection to " + attempt.host() + " is in plaintext", null);
            }
            if (tls && requirement.kind().authenticates() && !audit(requirement)) {
                // Only our trust manager records an outcome: TLS made by anything else (a socket the
                // application handed over, a factory the policy did not replace) verified nothing.
                VerificationOutcome outcome = VerificationOutcome.of(((SSLSocket) socket).getSession());
                if (outcome == null || !outcome.isAuthenticated()) {
                    close(socket);
                    return refuse(transport, attempt, RefusalReply.NOT_VERIFIED,
                            "Server certificate not verified: the TLS connection to " + attempt.host()
                            + " was not made by MailTLS Guard's trust manager"
                            + (outcome == null ? "" : " (" + outcome.failureMessage() + ")"), null);
                }
            }
            Throwable unusable = noDelay(transport, attempt, socket);
            if (unusable != null) {
                return unusable;
            }
            logEstablished(attempt, socket, tls);
            return null;
        }
        ConnectionFailure failure = ConnectionFailure.of(thrown, !startTlsMayHaveBeenRefused(transport, attempt));
        RefusalReply refusal;
        if (failure.kind() != ConnectionFailure.Kind.CERTIFICATE_NOT_VERIFIED && attempt.setupFailure != null) {
            refusal = RefusalReply.of(requirement.match().rule(), RefusalReply.NOT_VERIFIED, attempt.setupFailure);
        } else if (failure.kind() == ConnectionFailure.Kind.HANDSHAKE_FAILED
                && requirement.kind() == ConnectionRequirement.Kind.MAY) {
            // Unlike Postfix, which retries in plaintext, the agent cannot redo the application's
            // connection: at level may a failed handshake is refused like at the requiring levels.
            refusal = RefusalReply.of(requirement.match().rule(), RefusalReply.NOT_VERIFIED,
                    failure.describe(attempt.host()));
        } else {
            refusal = failure.refusal(requirement, attempt.host());
        }
        // No refusal: not a policy matter (connection refused, authentication failed, ...), the application's as is.
        return refusal == null ? thrown : refuse(transport, attempt, refusal, thrown);
    }

    /**
     * Whether an error reply that ended the attempt may be the server's answer to STARTTLS: only
     * if STARTTLS was on, the server offered it, and no TLS socket was made for the attempt yet.
     * Otherwise the reply refused something else (HELO, AUTH in plaintext under {@code may} or
     * {@code action=audit}, AUTH after TLS), which is the application's business, not the policy's.
     */
    private static boolean startTlsMayHaveBeenRefused(Object transport, ConnectionAttempt attempt) {
        return !attempt.tlsStarted && startTlsMode(attempt.requirement) != STARTTLS_OFF && startTlsOffered(transport);
    }

    /**
     * Whether the server's last EHLO offered STARTTLS, from the transport's public {@code
     * supportsExtension} (in every supported library; it keeps the EHLO reply after the connection
     * closed). If it cannot be asked: offered, so that a refused STARTTLS is not taken for anything else.
     */
    private static boolean startTlsOffered(Object transport) {
        try {
            return Boolean.TRUE.equals(transport.getClass().getMethod("supportsExtension", String.class)
                    .invoke(transport, "STARTTLS"));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unavailable) {
            return true;
        }
    }

    /**
     * {@code TCP_NODELAY} on the connected socket: {@code SocketFetcher}'s advice and the policy's
     * TLS socket factory set it already, but an application may hand the transport a socket of its
     * own. A socket that cannot take it is broken: the connection is closed and fails (4.4.2, bad
     * connection, temporary), it is not used.
     */
    private static Throwable noDelay(Object transport, ConnectionAttempt attempt, Socket socket) {
        if (socket == null) {
            return null;
        }
        try {
            socket.setTcpNoDelay(true);
            return null;
        } catch (IOException broken) {
            close(socket);
            String what = "454 4.4.2 MailTLS Guard could not set TCP_NODELAY on the connection to " + attempt.host()
                    + " (" + broken + "); the connection is closed and the message deferred, retry later";
            LOG.warning("mailtls: " + describe(attempt) + ": " + what);
            return SmtpPolicyFailure.create(transport, 454, what, broken);
        }
    }

    /** @param detail {@link RefusalReply#TLS_NOT_AVAILABLE} or {@link RefusalReply#NOT_VERIFIED} */
    private Throwable refuse(Object transport, ConnectionAttempt attempt, int detail, String what, Throwable cause) {
        return refuse(transport, attempt, RefusalReply.of(attempt.requirement.match().rule(), detail, what), cause);
    }

    private Throwable refuse(Object transport, ConnectionAttempt attempt, RefusalReply reply, Throwable cause) {
        LOG.warning("mailtls: " + describe(attempt) + " refused: " + reply.what() + "; " + attempt.requirement + " action="
                + attempt.requirement.match().policy().action() + " (" + attempt.requirement.match().rule().key() + ")");
        Exception refusal = SmtpPolicyFailure.forRefusal(transport, reply, cause);
        if (attempt.requirement.match().policy().action() == PolicyAction.DEFER) {
            attempt.deferral = refusal;
        }
        return refusal;
    }

    /** Whether a deferral under {@code requirement} goes into the queue: {@code action=defer}, on an application thread. */
    private boolean queueable(ConnectionRequirement requirement) {
        return queue != null && requirement.match().policy().action() == PolicyAction.DEFER && queue.takesDeferrals();
    }

    /**
     * Hands the attempt's deferral to the queue, if it takes it: the transport is then queued. If
     * the queue cannot, the application gets the deferral itself, as without a queue.
     */
    private boolean queued(Object transport, ConnectionAttempt attempt) {
        if (attempt.deferral == null || attempt.host == null || !queueable(attempt.requirement)) {
            return false;
        }
        try {
            queue.deferred(transport, attempt.session, attempt.protocol, attempt.host, attempt.port, attempt.user,
                    attempt.deferral.getMessage());
            return true;
        } catch (RuntimeException | LinkageError failed) {
            LOG.log(Level.SEVERE, "mailtls: " + describe(attempt) + ": cannot queue the deferred connection; the"
                    + " application gets the deferral", failed);
            return false;
        }
    }

    @Override
    public boolean isQueued(Object transport) {
        return queue != null && queue.isQueued(transport);
    }

    @Override
    public boolean sendMessage(Object transport, Object session, Object message, Object addresses) throws Exception {
        if (queue == null) {
            return false;
        }
        Throwable bug;
        try {
            return queue.send(transport, session, message, addresses);
        } catch (NotQueuedException notQueued) {
            throw SmtpPolicyFailure.create(transport, 454, notQueued.getMessage(), notQueued.getCause());
        } catch (RuntimeException | LinkageError unexpected) {
            bug = unexpected;
        } catch (Exception refused) {
            if (SmtpPolicyFailure.isMessagingException(refused)) {
                // What the library itself refuses (no recipients, a failing message body), as it would.
                throw refused;
            }
            bug = refused;
        }
        LOG.log(Level.SEVERE, "mailtls: internal error queueing a message", bug);
        throw SmtpPolicyFailure.create(transport, 454, "454 4.7.5 MailTLS Guard internal error (" + bug
                + "); message not queued, see the application's log", bug);
    }

    @Override
    public void closing(Object transport) {
        if (queue != null) {
            queue.closing(transport);
        }
    }

    private static String describe(ConnectionAttempt attempt) {
        return attempt.protocol + " connection to " + attempt.host() + ":" + attempt.requirement.port();
    }

    private static void logEstablished(ConnectionAttempt attempt, Socket socket, boolean tls) {
        ConnectionRequirement requirement = attempt.requirement;
        String address = socket == null || socket.getInetAddress() == null ? "?" : socket.getInetAddress().getHostAddress();
        int port = socket == null ? requirement.port() : socket.getPort();
        if (tls) {
            SSLSocket ssl = (SSLSocket) socket;
            VerificationOutcome outcome = VerificationOutcome.of(ssl.getSession());
            String line = "mailtls: " + ConnectionTrust.summary(requirement, attempt.host(), address, port, ssl) + "; "
                    + requirement;
            if (outcome != null && !outcome.isAuthenticated()) {
                LOG.warning(line + "; AUDIT: " + outcome.failureMessage() + "; sending anyway because action=audit");
            } else if (outcome == null && requirement.kind().tlsRequired() && audit(requirement)) {
                // TLS made by the application's own socket factory, which the policy refuses without audit.
                LOG.warning(line + "; AUDIT: the TLS connection was not made by MailTLS Guard and nothing in it was"
                        + " verified by the policy; sending anyway because action=audit");
            } else {
                LOG.info(line);
            }
        } else if (!requirement.kind().tlsRequired()) {
            LOG.info("mailtls: plaintext connection to " + attempt.host() + "[" + address + "]:" + port + "; " + requirement);
        } else {
            LOG.warning("mailtls: AUDIT: plaintext connection to " + attempt.host() + "[" + address + "]:" + port
                    + " violates " + requirement + "; sending anyway because action=audit");
        }
    }

    /**
     * Closes a refused connection's socket. Not {@code transport.close()}: inside protocolConnect
     * the transport is not yet marked connected, and its close() would do nothing.
     */
    private static void close(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException | RuntimeException closeFailed) {
            LOG.log(Level.FINE, "mailtls: closing the refused connection failed", closeFailed);
        }
    }
}
