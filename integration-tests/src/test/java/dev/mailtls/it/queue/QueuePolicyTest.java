package dev.mailtls.it.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.agent.MailLibrary;
import dev.mailtls.it.bed.ProxyConnection;
import dev.mailtls.it.bed.StarttlsProxy;
import dev.mailtls.it.bed.TestDomains;
import dev.mailtls.queue.Attempt;
import dev.mailtls.queue.QueuedMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The queue takes the policy's deferrals and nothing else: a retry is a fresh decision on a fresh
 * connection, {@code reject} and {@code audit} behave as without a queue, and failures that are
 * not the policy's (a wrong password, a recipient the server refuses) reach the application as
 * they always did.
 */
class QueuePolicyTest extends QueueBedTest {
    private static final String MISMATCH_MX = "mx." + TestDomains.DANE_MISMATCH;
    private static final String STRIPPED = "mx." + TestDomains.STARTTLS_STRIP;

    @Test
    void retryIsAFreshPolicyDecisionSoADestinationWhoseTlsaNowMismatchesStaysQueued() {
        AppProcess app = startApp(MailLibrary.JAKARTA_MAIL_2_0_1, queueConfig(), List.of(MISMATCH_MX), MISMATCH_MX,
                "user@" + TestDomains.DANE_MISMATCH, 1, 1, "send");
        assertThat(app.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(app.toString())
                .isEqualTo("DONE accepted=1 failed=0");

        // STARTTLS is no longer stripped, but the certificate does not match the TLSA records.
        mx.switchTo(StarttlsProxy.Mode.PASS);
        app.awaitLog("status=deferred (454 4.7.5 Server certificate not verified: DANE: no TLSA record of _25._tcp."
                + MISMATCH_MX + " matched", Duration.ofMinutes(1));

        List<QueuedMessage> queued = queued(false);
        assertThat(queued).as(app.toString()).hasSize(1);
        assertThat(queued.get(0).reason()).startsWith("454 4.7.4 TLS is required, but was not offered");
        List<Attempt> attempts = queued.get(0).attempts();
        assertThat(attempts.get(attempts.size() - 1).result()).contains("DANE: no TLSA record");
        assertThat(mx.connections()).anyMatch(ProxyConnection::tlsHappened);
        assertThat(mx.cleartextSensitiveCommands()).isEmpty();
        assertThat(bed.mailboxes().messages(TestDomains.DANE_MISMATCH)).isEmpty();
        assertThat(app.finish()).isZero();
    }

    @Test
    void rejectStillFailsTheSendWithAPermanentErrorAndQueuesNothing() {
        AppProcess app = startApp(MailLibrary.ANGUS_MAIL_2_0_3, queueConfig("mailtls.action = reject"),
                List.of(STRIPPED), STRIPPED, "user@" + TestDomains.STARTTLS_STRIP, 1, 1, "send");

        assertThat(app.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(app.toString())
                .isEqualTo("DONE accepted=0 failed=1");
        assertThat(app.lines()).anyMatch(line -> line.startsWith(
                "FAILED org.eclipse.angus.mail.smtp.SMTPSendFailedException: 554 5.7.4 TLS is required, but was not offered"));
        assertThat(queued(false)).isEmpty();
        QueueBed.assertNothingInClear(mx);
        assertThat(app.finish()).isZero();
    }

    @Test
    void auditStillSendsAtOnceAndQueuesNothing() {
        AppProcess app = startApp(MailLibrary.ANGUS_MAIL_2_0_3, queueConfig("mailtls.action = audit"), List.of(),
                MISMATCH_MX, "user@" + TestDomains.DANE_MISMATCH, 1, 1, "send");

        assertThat(app.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(app.toString())
                .isEqualTo("DONE accepted=1 failed=0");
        QueueBed.awaitArrivals(TestDomains.DANE_MISMATCH, QueueBed.accepted(acceptedLog()), 60, app);
        assertThat(app.stderr()).contains("AUDIT: DANE: no TLSA record").doesNotContain("queued,");
        assertThat(queued(false)).isEmpty();
        assertThat(app.finish()).isZero();
    }

    @Test
    void aWrongPasswordStillReachesTheApplicationAsAnAuthenticationFailure() {
        mx.close();
        try (AuthRefusingMx server = new AuthRefusingMx(bed.certificates())) {
            AppProcess app = startApp(MailLibrary.JAVAX_MAIL_1_6_2, queueConfig(), List.of(STRIPPED), STRIPPED,
                    "user@" + TestDomains.STARTTLS_STRIP, 1, 1, "connect", "mailer", "wrong-password");

            assertThat(app.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(app.toString())
                    .isEqualTo("DONE accepted=0 failed=1");
            assertThat(app.lines()).anyMatch(line -> line.startsWith("FAILED javax.mail.AuthenticationFailedException: 535 5.7.8"));
            // Refused only after STARTTLS: the policy let the connection through, the server refused the login.
            assertThat(server.refusedAuths()).isPositive();
            assertThat(app.stderr()).doesNotContain("wrong-password");
            assertThat(queued(false)).isEmpty();
            assertThat(app.finish()).isZero();
        }
    }

    @Test
    void aRecipientTheServerRefusesStillReachesTheApplication() {
        AppProcess app = startApp(MailLibrary.ANGUS_MAIL_2_0_3, queueConfig(), List.of(), "mx." + TestDomains.DANE_OK,
                "someone@elsewhere.example", 1, 1, "connect");

        assertThat(app.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(app.toString())
                .isEqualTo("DONE accepted=0 failed=1");
        assertThat(app.lines()).anyMatch(line -> line.startsWith("FAILED jakarta.mail.SendFailedException: Invalid Addresses")
                && line.contains("554 5.7.1"));
        assertThat(queued(false)).isEmpty();
        assertThat(app.finish()).isZero();
    }
}
