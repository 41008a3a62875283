package dev.mailtls.agent.guard;

import dev.mailtls.agent.bootstrap.SmtpGuard;
import java.io.IOException;
import java.net.Socket;
import java.util.Properties;

/**
 * The guard while the configuration is unusable: every SMTP connection fails with a temporary
 * {@code 454 4.7.5} before a byte is sent (Postfix's "client TLS configuration problem"), so an
 * application whose policy could not be read sends nothing unprotected. IMAP and POP3 are not
 * affected.
 */
public final class BlockingSmtpGuard implements SmtpGuard {
    private final String reason;

    /** @param reason what is wrong, e.g. the first configuration problem with its file and line */
    public BlockingSmtpGuard(String reason) {
        this.reason = reason;
    }

    private String text() {
        return "454 4.7.5 MailTLS Guard blocks SMTP sending: its configuration is unusable (" + reason
                + "). Fix the configuration and restart the application; mail is not sent until then";
    }

    @Override
    public int connectStarting(Object transport, Object session, String protocol, String host, int port, String user,
            String password) throws Exception {
        throw SmtpPolicyFailure.create(transport, 454, text(), null);
    }

    @Override
    public Properties startTlsProperties(Properties props, String prefix, String host, int port) throws IOException {
        throw new IOException(text());
    }

    @Override
    public Properties socketProperties(Properties props, String prefix, String host, int port, boolean useSsl)
            throws IOException {
        throw new IOException(text());
    }

    @Override
    public Throwable connectFinished(Object transport, Throwable thrown, Socket socket) {
        return thrown;
    }

    @Override
    public boolean isQueued(Object transport) {
        return false;
    }

    @Override
    public boolean sendMessage(Object transport, Object session, Object message, Object addresses) {
        return false;
    }

    @Override
    public void closing(Object transport) {
        // Nothing is queued while SMTP is blocked.
    }
}
