package dev.mailtls.agent;

import dev.mailtls.agent.bootstrap.SmtpGuard;
import dev.mailtls.agent.guard.BlockingSmtpGuard;
import java.io.IOException;
import java.net.Socket;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The guard while the agent starts: the policy (configuration, trust store, DNS resolver) is made
 * on a thread of its own, concurrently with the application's start-up, and an SMTP connection that
 * comes before it is ready waits for it, then goes through it. Fail closed: a connection that has
 * waited in vain (a minute, {@link #STARTUP_TIMEOUT_MILLIS}), or whose thread is interrupted while
 * waiting, fails with {@code 454 4.7.5} before a byte is sent. Once the policy is ready it replaces
 * this guard in the bridge; a connection already here is handed on to it.
 */
final class StartingSmtpGuard implements SmtpGuard {
    /** Making the policy takes well under a second; this only bounds a start-up that hangs (a stuck file system). */
    static final long STARTUP_TIMEOUT_MILLIS = 60000;

    private final CountDownLatch ready = new CountDownLatch(1);
    private final long timeoutMillis;
    private volatile SmtpGuard policy;

    /** @param timeoutMillis how long a connection waits for the policy before it fails */
    StartingSmtpGuard(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** The policy's guard, or the blocking one of a failed start-up; releases every waiting connection. */
    void complete(SmtpGuard guard) {
        policy = guard;
        ready.countDown();
    }

    private SmtpGuard policy() {
        try {
            if (ready.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
                return policy;
            }
            return new BlockingSmtpGuard("the agent did not finish starting within " + timeoutMillis + " ms");
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return new BlockingSmtpGuard("interrupted while waiting for the agent to finish starting");
        }
    }

    @Override
    public int connectStarting(Object transport, Object session, String protocol, String host, int port, String user,
            String password) throws Exception {
        return policy().connectStarting(transport, session, protocol, host, port, user, password);
    }

    @Override
    public Properties startTlsProperties(Properties props, String prefix, String host, int port) throws IOException {
        return policy().startTlsProperties(props, prefix, host, port);
    }

    @Override
    public Properties socketProperties(Properties props, String prefix, String host, int port, boolean useSsl)
            throws IOException {
        return policy().socketProperties(props, prefix, host, port, useSsl);
    }

    @Override
    public Throwable connectFinished(Object transport, Throwable thrown, Socket socket) {
        // Not ready yet means connectStarting failed already (it waits); nothing to translate then.
        SmtpGuard current = policy;
        return current == null ? thrown : current.connectFinished(transport, thrown, socket);
    }

    // A transport can only be queued by the policy's guard, after connectStarting waited for it.
    @Override
    public boolean isQueued(Object transport) {
        SmtpGuard current = policy;
        return current != null && current.isQueued(transport);
    }

    @Override
    public boolean sendMessage(Object transport, Object session, Object message, Object addresses) throws Exception {
        SmtpGuard current = policy;
        return current != null && current.sendMessage(transport, session, message, addresses);
    }

    @Override
    public void closing(Object transport) {
        SmtpGuard current = policy;
        if (current != null) {
            current.closing(transport);
        }
    }
}
