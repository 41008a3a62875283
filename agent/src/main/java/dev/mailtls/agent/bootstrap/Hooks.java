package dev.mailtls.agent.bootstrap;

import java.io.IOException;
import java.net.Socket;
import java.util.Properties;

/**
 * The static entry points that the agent's advice, inlined into the mail library's classes,
 * calls. Loaded by the bootstrap class loader, JDK types only. Everything here fails closed:
 * without an installed {@link SmtpGuard}, or when the guard itself fails, the SMTP connection
 * fails too; it never proceeds unprotected.
 */
public final class Hooks {
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

    private static SmtpGuard guard() throws IOException {
        SmtpGuard current = guard;
        if (current == null) {
            throw new IOException("MailTLS Guard: the agent's policy is not installed; SMTP connections are refused");
        }
        return current;
    }
}
