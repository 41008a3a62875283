package dev.mailtls.agent.bootstrap;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.Socket;
import java.util.Properties;

/**
 * The static entry points that the agent's advice, inlined into the mail library's classes,
 * calls. Loaded by the bootstrap class loader (the agent appends its jar to its search path), JDK types
 * only. Everything here fails closed: without an installed {@link SmtpGuard}, or when the guard
 * itself fails, the SMTP connection fails too; it never proceeds unprotected.
 *
 * <p>The advice calls these methods by reflection, through the {@code Method} constants below: it
 * gets one with {@code getField(NAME)}, which needs no class literal. Class literals would be class
 * constants in the woven code, which the class files of javax.mail 1.4 (Java 1.4's class-file
 * version, 48) cannot hold.
 */
public final class Hooks {
    /** {@link #connectStarting}. */
    public static final Method CONNECT_STARTING = hook("connectStarting", Object.class, Object.class, String.class,
            String.class, int.class, String.class, String.class);
    /** {@link #startTls}. */
    public static final Method START_TLS = hook("startTls", Properties.class, String.class, String.class, int.class);
    /** {@link #openSocket}. */
    public static final Method OPEN_SOCKET = hook("openSocket", Properties.class, String.class, String.class, int.class,
            boolean.class);
    /** {@link #connectFinished}. */
    public static final Method CONNECT_FINISHED = hook("connectFinished", Object.class, Throwable.class, Socket.class);
    /** {@link #isQueued}. */
    public static final Method IS_QUEUED = hook("isQueued", Object.class);
    /** {@link #sendMessage}. */
    public static final Method SEND_MESSAGE = hook("sendMessage", Object.class, Object.class, Object.class, Object.class);
    /** {@link #closing}. */
    public static final Method CLOSING = hook("closing", Object.class);

    private static volatile SmtpGuard guard;

    private Hooks() {
    }

    /** Installs the guard; the agent calls this once at start-up (again after a configuration error). */
    public static void install(SmtpGuard newGuard) {
        guard = newGuard;
    }

    /** Whether {@code prefix} names an SMTP transport's properties (IMAP and POP3 are left alone). */
    public static boolean isSmtp(String prefix) {
        return "mail.smtp".equals(prefix) || "mail.smtps".equals(prefix);
    }

    public static int connectStarting(Object transport, Object session, String protocol, String host, int port,
            String user, String password) throws Exception {
        return guard().connectStarting(transport, session, protocol, host, port, user, password);
    }

    public static Properties startTls(Properties props, String prefix, String host, int port) throws IOException {
        if (!isSmtp(prefix)) {
            return props;
        }
        return guard().startTlsProperties(props, prefix, host, port);
    }

    public static Properties openSocket(Properties props, String prefix, String host, int port, boolean useSsl)
            throws IOException {
        if (!isSmtp(prefix)) {
            return props;
        }
        return guard().socketProperties(props, prefix, host, port, useSsl);
    }

    public static Throwable connectFinished(Object transport, Throwable thrown, Socket socket) {
        SmtpGuard current = guard;
        if (current == null) {
            return thrown != null ? thrown : new IllegalStateException("MailTLS Guard is not installed");
        }
        return current.connectFinished(transport, thrown, socket);
    }

    /** Without a guard nothing was queued: the library's own method runs (and has no connection to use). */
    public static boolean isQueued(Object transport) {
        SmtpGuard current = guard;
        return current != null && current.isQueued(transport);
    }

    public static boolean sendMessage(Object transport, Object session, Object message, Object addresses) throws Exception {
        SmtpGuard current = guard;
        return current != null && current.sendMessage(transport, session, message, addresses);
    }

    public static void closing(Object transport) {
        SmtpGuard current = guard;
        if (current != null) {
            current.closing(transport);
        }
    }

    private static Method hook(String name, Class<?>... parameterTypes) {
        try {
            return Hooks.class.getMethod(name, parameterTypes);
        } catch (NoSuchMethodException impossible) {
            throw new IllegalStateException("MailTLS Guard: the bridge lacks its method " + name, impossible);
        }
    }

    private static SmtpGuard guard() throws IOException {
        SmtpGuard current = guard;
        if (current == null) {
            throw new IOException("MailTLS Guard: the agent's policy is not installed; SMTP connections are refused");
        }
        return current;
    }
}
