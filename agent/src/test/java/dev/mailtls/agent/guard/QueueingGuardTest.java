package dev.mailtls.agent.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.mail.smtp.SMTPSendFailedException;
import com.sun.mail.smtp.SMTPTransport;
import dev.mailtls.agent.bootstrap.SmtpGuard;
import dev.mailtls.agent.queue.AgentQueue;
import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.engine.PolicyEngine;
import dev.mailtls.queue.MessageQueue;
import dev.mailtls.queue.QueuedMessage;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard with a durable queue, on real Jakarta Mail objects (no SMTP server): which refusals
 * become "accepted and queued", what is stored, and what stays as it was.
 */
class QueueingGuardTest {
    @TempDir
    Path dir;

    private final Session session = Session.getInstance(new Properties());
    private final SMTPTransport transport = new SMTPTransport(session, null);
    private AgentQueue queue;
    private int closedPort;

    @BeforeEach
    void freePort() throws Exception {
        // The worker retries at once; a port nobody listens on makes that a quick deferral.
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
    }

    @AfterEach
    void closeQueue() {
        if (queue != null) {
            queue.close();
        }
    }

    private PolicySmtpGuard guard(String... settings) throws Exception {
        Properties overrides = new Properties();
        // A DNS server that is not there: lookups fail at once.
        overrides.setProperty("mailtls.dns.servers", "127.0.0.1:9");
        overrides.setProperty("mailtls.level", "encrypt");
        overrides.setProperty("mailtls.queue.dir", dir.resolve("queue").toString());
        overrides.setProperty("mailtls.queue.retry", "1h");
        for (int i = 0; i < settings.length; i += 2) {
            overrides.setProperty(settings[i], settings[i + 1]);
        }
        MailTlsConfig config = ConfigLoader.withOverrides(overrides).loadWithoutFile();
        queue = AgentQueue.start(config);
        return new PolicySmtpGuard(PolicyEngine.create(config), queue);
    }

    private MimeMessage message() throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("app@client.test"));
        message.setRecipients(Message.RecipientType.TO, "alice@example.org");
        message.setSubject("kept");
        message.setText("body\n");
        message.saveChanges();
        return message;
    }

    private List<QueuedMessage> stored() throws Exception {
        try (MessageQueue view = MessageQueue.openExisting(dir.resolve("queue"))) {
            return view.messages();
        }
    }

    private static MessagingException noStartTls() {
        return new MessagingException("STARTTLS is required but host does not support STARTTLS");
    }

    @Test
    void aDeferralLeavesTheTransportQueuedAndItsMessagesStored() throws Exception {
        PolicySmtpGuard guard = guard();
        assertThat(guard.connectStarting(transport, session, "smtp", "localhost", closedPort, null, null))
                .isEqualTo(SmtpGuard.STARTTLS_REQUIRE);

        assertThat(guard.connectFinished(transport, noStartTls(), null)).as("no failure: the connection is queued").isNull();
        assertThat(guard.isQueued(transport)).isTrue();

        MimeMessage message = message();
        assertThat(guard.sendMessage(transport, session, message, message.getAllRecipients())).isTrue();
        List<QueuedMessage> stored = stored();
        assertThat(stored).hasSize(1);
        QueuedMessage queued = stored.get(0);
        assertThat(queued.envelope().sender()).isEqualTo("app@client.test");
        assertThat(queued.envelope().recipients()).containsExactly("alice@example.org");
        assertThat(queued.destination().relay()).isEqualTo("localhost:" + closedPort);
        assertThat(queued.destination().user()).isNull();
        assertThat(queued.destination().sessionProperties()).containsEntry("mail.smtp.class", SMTPTransport.class.getName());
        assertThat(queued.reason()).startsWith("454 4.7.4 TLS is required, but was not offered by host localhost.");

        guard.closing(transport);
        assertThat(guard.isQueued(transport)).isFalse();
        assertThat(guard.sendMessage(transport, session, message, message.getAllRecipients()))
                .as("a closed transport sends as the library does").isFalse();
    }

    @Test
    void aDeferralBeforeAnyConnectionSkipsItOrFirstAsksForThePassword() throws Exception {
        // dane-only with no DNS answer: refused before connecting.
        PolicySmtpGuard guard = guard("mailtls.level", "dane-only", "mailtls.dns.timeout", "200ms");
        Properties auth = new Properties();
        auth.setProperty("mail.smtp.auth", "true");
        Session authSession = Session.getInstance(auth);
        SMTPTransport authenticating = new SMTPTransport(authSession, null);

        assertThat(guard.connectStarting(authenticating, authSession, "smtp", "mx.example", 25, "mailer", null))
                .as("the library first asks the Authenticator").isEqualTo(SmtpGuard.CREDENTIALS_FIRST);
        assertThat(guard.isQueued(authenticating)).isFalse();
        assertThat(guard.connectStarting(authenticating, authSession, "smtp", "mx.example", 25, "mailer", "s3cret"))
                .isEqualTo(SmtpGuard.QUEUED);
        assertThat(guard.isQueued(authenticating)).isTrue();

        MimeMessage message = message();
        guard.sendMessage(authenticating, authSession, message, message.getAllRecipients());
        QueuedMessage queued = stored().get(0);
        assertThat(queued.destination().user()).isEqualTo("mailer");
        assertThat(queued.reason()).startsWith("454 4.7.5 ");
        assertThat(queued.toString()).doesNotContain("s3cret");
    }

    @Test
    void rejectionsAndFailuresThatAreNotThePolicysAreNotQueued() throws Exception {
        PolicySmtpGuard guard = guard("mailtls.policy.localhost", "encrypt action=reject");
        guard.connectStarting(transport, session, "smtp", "localhost", closedPort, null, null);
        Throwable rejected = guard.connectFinished(transport, noStartTls(), null);
        assertThat(((SMTPSendFailedException) rejected).getReturnCode()).isEqualTo(554);
        assertThat(guard.isQueued(transport)).isFalse();

        guard.connectStarting(transport, session, "smtp", "mx.example", closedPort, "mailer", "wrong");
        AuthenticationFailedException wrongPassword = new AuthenticationFailedException("535 5.7.8 Error: authentication failed");
        assertThat(guard.connectFinished(transport, wrongPassword, null)).isSameAs(wrongPassword);
        assertThat(guard.isQueued(transport)).isFalse();
        assertThat(stored()).isEmpty();
    }

    @Test
    void aFullQueueGivesTheApplicationATemporaryFailure() throws Exception {
        PolicySmtpGuard guard = guard("mailtls.queue.max-size", "1 message");
        guard.connectStarting(transport, session, "smtp", "localhost", closedPort, null, null);
        guard.connectFinished(transport, noStartTls(), null);
        MimeMessage message = message();
        guard.sendMessage(transport, session, message, message.getAllRecipients());

        assertThatThrownBy(() -> guard.sendMessage(transport, session, message, message.getAllRecipients()))
                .isInstanceOfSatisfying(SMTPSendFailedException.class,
                        full -> assertThat(full.getReturnCode()).isEqualTo(454))
                .hasMessageStartingWith("454 4.7.4 TLS is required")
                .hasMessageContaining("the queue did not take it: mailtls.queue.max-size");
        assertThat(stored()).hasSize(1);
    }
}
