package dev.mailtls.agent.guard;

import dev.mailtls.engine.ConnectionRequirement;

/**
 * One SMTP connection attempt of one transport, from {@code protocolConnect}'s start to its end:
 * what the connection must achieve, decided once at its start (and again at the handshake if the
 * port turns out different, since TLSA records are per port). Lives in a thread local for exactly
 * that span: the mail library connects on the calling thread.
 */
final class ConnectionAttempt {
    final String protocol;
    final ConnectionRequirement requirement;
    /**
     * What {@code protocolConnect} connects to, as the application asked (host, effective port,
     * user) and its {@code Session}, should a deferral go into the queue; {@code null} host for a
     * socket made outside {@code protocolConnect}. The session is held for the attempt only.
     */
    final String host;
    final int port;
    final String user;
    final Object session;
    /**
     * The socket factory classes the application names, made for this attempt only, as the
     * library of the transport's class makes them (without a transport: as a plain application).
     */
    final SocketFactoryClasses factoryClasses;
    /** Set when the library asked for the TLS handshake: STARTTLS was accepted, or TLS starts on connect. */
    volatile boolean tlsStarted;
    /** Set when MailTLS Guard itself could not set up the handshake: why, in operator terms. */
    volatile String setupFailure;
    /** The policy's deferral of this attempt ({@code action=defer}), once there is one. */
    volatile Throwable deferral;

    ConnectionAttempt(String protocol, ConnectionRequirement requirement, String host, int port, String user,
            Object session, Class<?> transportType) {
        this(protocol, requirement, host, port, user, session, new SocketFactoryClasses(transportType));
    }

    private ConnectionAttempt(String protocol, ConnectionRequirement requirement, String host, int port, String user,
            Object session, SocketFactoryClasses factoryClasses) {
        this.protocol = protocol;
        this.requirement = requirement;
        this.host = host;
        this.port = port;
        this.user = user;
        this.session = session;
        this.factoryClasses = factoryClasses;
    }

    /** For a socket made outside {@code protocolConnect}: nothing to queue. */
    static ConnectionAttempt ofSocket(ConnectionRequirement requirement) {
        return new ConnectionAttempt("smtp", requirement, null, requirement.port(), null, null, (Class<?>) null);
    }

    /** The same attempt under a requirement decided anew (another port). */
    ConnectionAttempt with(ConnectionRequirement newRequirement) {
        return new ConnectionAttempt(protocol, newRequirement, host, port, user, session, factoryClasses);
    }

    String host() {
        return requirement.host();
    }
}
