package dev.mailtls.agent.bootstrap;

import java.io.IOException;
import java.net.Socket;
import java.util.Properties;

/**
 * What the instrumented mail classes ask of MailTLS Guard, in JDK types only. Like {@link Hooks},
 * it is loaded by the bootstrap class loader, where both the advice (whatever the mail classes'
 * class loader: system, Tomcat, Spring Boot, OSGi, JBoss Modules) and the agent's own class loader
 * find the bridge, so both meet the same interface. The agent installs one implementation in
 * {@link Hooks}.
 */
public interface SmtpGuard {
    /** STARTTLS off: the level is {@code none}. */
    int STARTTLS_OFF = 0;
    /** STARTTLS when offered, plaintext otherwise: level {@code may}, or {@code audit}. */
    int STARTTLS_TRY = 1;
    /** STARTTLS or no connection. */
    int STARTTLS_REQUIRE = 2;
    /**
     * No connection at all: the policy deferred it and the durable queue takes the messages
     * ({@code mailtls.queue.dir}); {@code protocolConnect} reports success without running, and
     * {@link #sendMessage} stores what the application sends.
     */
    int QUEUED = 3;
    /**
     * No connection yet: the deferral could be queued, but the library must first ask the
     * application's {@code Authenticator} for the password it lacks (it would return false itself
     * before connecting); {@code protocolConnect} reports "not connected" without running.
     */
    int CREDENTIALS_FIRST = 4;

    /**
     * An SMTP transport is about to connect to {@code host}: decides the STARTTLS mode (one of the
     * constants above) and remembers the attempt for this thread.
     *
     * @param session the transport's {@code Session}, for the port it will use when {@code port} is -1
     * @param protocol {@code smtp} or {@code smtps}
     * @param port the port asked for, or -1 for the session's or the protocol's default
     * @param user the SMTP AUTH user name {@code protocolConnect} got, or {@code null}
     * @param password its password, or {@code null}; kept in memory only, never logged or stored
     * @throws Exception a {@code MessagingException} of the transport's own mail API when the
     *     policy refuses the destination before any connection is made
     */
    int connectStarting(Object transport, Object session, String protocol, String host, int port, String user,
            String password) throws Exception;

    /**
     * The properties {@code SocketFetcher.startTLS} should use on an SMTP connection: a copy of
     * {@code props} whose socket factory is MailTLS Guard's, for this attempt.
     *
     * @param port the connected port (the TLSA records are looked up for it)
     * @throws IOException when no safe handshake can be set up; the connection then fails
     */
    Properties startTlsProperties(Properties props, String prefix, String host, int port) throws IOException;

    /**
     * The properties {@code SocketFetcher.getSocket} should use for an SMTP connection: a copy of
     * {@code props} that never falls back to a second connection, and whose socket factory is
     * MailTLS Guard's when the connection is TLS from the start ({@code useSsl} for {@code smtps},
     * or an SSL socket factory configured on {@code smtp}, the Commons Email style).
     */
    Properties socketProperties(Properties props, String prefix, String host, int port, boolean useSsl)
            throws IOException;

    /**
     * The connection attempt ended: {@code thrown} is what {@code protocolConnect} threw, or
     * {@code null} after success. Returns what it should throw instead (a policy failure
     * translated into an SMTP-coded {@code MessagingException}), or {@code null} to let it succeed.
     */
    Throwable connectFinished(Object transport, Throwable thrown, Socket socket);

    /**
     * Whether {@code transport}'s current connection is a {@link #QUEUED} one: connected in the
     * application's eyes, with no socket behind it.
     */
    boolean isQueued(Object transport);

    /**
     * {@code SMTPTransport.sendMessage(message, addresses)} is called. On a {@link #QUEUED}
     * transport the message is stored durably with its envelope and this returns {@code true}:
     * the library's own method is skipped and the application sees success. Otherwise it returns
     * {@code false} and the library sends as usual.
     *
     * @param session the transport's {@code Session}
     * @param addresses the {@code Address[]} argument
     * @throws Exception a {@code MessagingException} of the transport's own mail API when the
     *     message cannot be stored (queue full: 454 4.7.x) or is one the library would refuse too
     */
    boolean sendMessage(Object transport, Object session, Object message, Object addresses) throws Exception;

    /** The application closes {@code transport}: a {@link #QUEUED} connection ends with it. */
    void closing(Object transport);
}
