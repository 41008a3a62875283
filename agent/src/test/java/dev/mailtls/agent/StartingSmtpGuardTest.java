package dev.mailtls.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.mail.smtp.SMTPSendFailedException;
import com.sun.mail.smtp.SMTPTransport;
import dev.mailtls.agent.bootstrap.SmtpGuard;
import dev.mailtls.agent.guard.BlockingSmtpGuard;
import jakarta.mail.Session;
import java.io.IOException;
import java.net.Socket;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guard that holds SMTP connections while the policy is made: a connection waits and then goes
 * through the policy; one that cannot wait for it fails with a temporary 454, never unguarded.
 */
class StartingSmtpGuardTest {
    private final SMTPTransport transport = new SMTPTransport(Session.getInstance(new Properties()), null);
    private final ExecutorService application = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        application.shutdownNow();
    }

    @Test
    void connectionThatComesFirstWaitsForThePolicyAndGoesThroughIt() throws Exception {
        StartingSmtpGuard starting = new StartingSmtpGuard(StartingSmtpGuard.STARTUP_TIMEOUT_MILLIS);
        CompletableFuture<Void> asked = new CompletableFuture<>();
        Future<Integer> mode = application.submit(() -> {
            asked.complete(null);
            return starting.connectStarting(transport, null, "smtp", "mx.example", 25, null, null);
        });
        asked.get(10, TimeUnit.SECONDS);
        assertThat(mode).as("held until the policy is ready").isNotDone();

        starting.complete(new RecordingGuard(SmtpGuard.STARTTLS_REQUIRE));

        assertThat(mode.get(10, TimeUnit.SECONDS)).isEqualTo(SmtpGuard.STARTTLS_REQUIRE);
    }

    @Test
    void everyCallAfterThePolicyIsReadyGoesToIt() throws Exception {
        StartingSmtpGuard starting = new StartingSmtpGuard(StartingSmtpGuard.STARTUP_TIMEOUT_MILLIS);
        RecordingGuard policy = new RecordingGuard(SmtpGuard.STARTTLS_TRY);
        starting.complete(policy);
        Properties props = new Properties();

        assertThat(starting.connectStarting(transport, null, "smtp", "mx.example", 25, null, null)).isEqualTo(SmtpGuard.STARTTLS_TRY);
        assertThat(starting.startTlsProperties(props, "mail.smtp", "mx.example", 25)).isSameAs(policy.answer);
        assertThat(starting.socketProperties(props, "mail.smtp", "mx.example", 25, false)).isSameAs(policy.answer);
        IOException failure = new IOException("refused");
        assertThat(starting.connectFinished(transport, failure, null)).isSameAs(policy.translated);
        assertThat(starting.isQueued(transport)).isTrue();
        assertThat(starting.sendMessage(transport, null, null, null)).isTrue();
    }

    @Test
    void beforeThePolicyNothingIsQueuedAndNoMessageIsTakenOver() throws Exception {
        StartingSmtpGuard starting = new StartingSmtpGuard(StartingSmtpGuard.STARTUP_TIMEOUT_MILLIS);
        IOException failure = new IOException("refused");

        // Only the policy's guard queues a connection, after connectStarting waited for it.
        assertThat(starting.isQueued(transport)).isFalse();
        assertThat(starting.sendMessage(transport, null, null, null)).isFalse();
        assertThat(starting.connectFinished(transport, failure, null)).isSameAs(failure);
    }

    @Test
    void aBrokenConfigurationsBlockingGuardBlocksTheWaitingConnection() throws Exception {
        StartingSmtpGuard starting = new StartingSmtpGuard(StartingSmtpGuard.STARTUP_TIMEOUT_MILLIS);
        starting.complete(new BlockingSmtpGuard("/etc/mailtls.properties:3: unknown key"));

        assertThatThrownBy(() -> starting.connectStarting(transport, null, "smtp", "mx.example", 25, null, null))
                .isInstanceOf(SMTPSendFailedException.class)
                .hasMessageStartingWith("454 4.7.5 MailTLS Guard blocks SMTP sending")
                .hasMessageContaining("/etc/mailtls.properties:3: unknown key");
    }

    @Test
    void noPolicyInTimeFailsTheConnectionClosed() {
        StartingSmtpGuard starting = new StartingSmtpGuard(1);

        assertThatThrownBy(() -> starting.connectStarting(transport, null, "smtp", "mx.example", 25, null, null))
                .isInstanceOf(SMTPSendFailedException.class)
                .hasMessageStartingWith("454 4.7.5 MailTLS Guard blocks SMTP sending")
                .hasMessageContaining("the agent did not finish starting within 1 ms");
        assertThatThrownBy(() -> starting.startTlsProperties(new Properties(), "mail.smtp", "mx.example", 25))
                .isInstanceOf(IOException.class).hasMessageStartingWith("454 4.7.5");
    }

    @Test
    void interruptedWaitFailsTheConnectionClosedAndKeepsTheInterrupt() throws Exception {
        StartingSmtpGuard starting = new StartingSmtpGuard(StartingSmtpGuard.STARTUP_TIMEOUT_MILLIS);
        Future<Boolean> stillInterrupted = application.submit(() -> {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> starting.socketProperties(new Properties(), "mail.smtps", "mx.example", 465, true))
                    .isInstanceOf(IOException.class).hasMessageContaining("interrupted while waiting for the agent");
            return Thread.currentThread().isInterrupted();
        });

        assertThat(stillInterrupted.get(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A policy that answers with fixed objects, so the test can see which guard answered. */
    private static final class RecordingGuard implements SmtpGuard {
        final int mode;
        final Properties answer = new Properties();
        final Throwable translated = new IllegalStateException("translated by the policy");

        RecordingGuard(int mode) {
            this.mode = mode;
        }

        @Override
        public int connectStarting(Object transport, Object session, String protocol, String host, int port, String user,
                String password) {
            return mode;
        }

        @Override
        public Properties startTlsProperties(Properties props, String prefix, String host, int port) {
            return answer;
        }

        @Override
        public Properties socketProperties(Properties props, String prefix, String host, int port, boolean useSsl) {
            return answer;
        }

        @Override
        public Throwable connectFinished(Object transport, Throwable thrown, Socket socket) {
            return translated;
        }

        @Override
        public boolean isQueued(Object transport) {
            return true;
        }

        @Override
        public boolean sendMessage(Object transport, Object session, Object message, Object addresses) {
            return true;
        }

        @Override
        public void closing(Object transport) {
        }
    }
}
