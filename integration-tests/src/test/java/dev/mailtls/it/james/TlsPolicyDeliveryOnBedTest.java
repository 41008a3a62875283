package dev.mailtls.it.james;

import static dev.mailtls.it.james.JamesBed.attribute;
import static dev.mailtls.it.james.JamesBed.delayMillis;
import static dev.mailtls.it.james.JamesBed.mail;
import static dev.mailtls.it.james.JamesBed.minutes;
import static dev.mailtls.it.james.JamesBed.requeued;
import static dev.mailtls.it.james.JamesBed.subject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.DeliveredMessage;
import dev.mailtls.it.bed.ProxyConnection;
import dev.mailtls.it.bed.TestBed;
import dev.mailtls.james.TlsPolicyDelivery;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TlsPolicyDelivery} delivering for real to the bed's Postfix through the bed's DNSSEC
 * resolver, in James's fake mailet context: what arrived in the Maildirs and over TLS, what the
 * proxies saw, and what the mailet handed back to James (state, queued copies with their delay
 * and attempt counter, bounces with DSNBounce's attributes).
 */
class TlsPolicyDeliveryOnBedTest {
    private static TestBed bed;

    @TempDir
    Path dir;

    private JamesBed james;
    private FakeMailContext context;
    private TlsPolicyDelivery mailet;

    @BeforeAll
    static void startBed() {
        bed = TestBed.shared();
    }

    @BeforeEach
    void setUp() {
        bed.reset();
        james = new JamesBed(bed, dir);
        context = FakeMailContext.defaultContext();
    }

    @AfterEach
    void tearDown() {
        if (mailet != null) {
            mailet.destroy();
        }
        james.close();
    }

    private void start(String... parameters) throws IOException, MessagingException {
        mailet = james.init(new TlsPolicyDelivery(), context, parameters);
    }

    @Test
    void daneDeliveryArrivesOverTlsAndTheMailEnds() throws Exception {
        start("mailtls.level", "dane-only");
        String subject = subject();
        FakeMail mail = mail(subject, "user@dane-ok.test");

        mailet.service(mail);

        DeliveredMessage delivered = james.delivered("dane-ok.test", subject);
        assertThat(delivered.arrivedOverTls()).as(delivered.receivedByBed()).isTrue();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).isEmpty();
        assertThat(james.log())
                .containsPattern("Verified TLS connection established to mx\\.dane-ok\\.test\\[127\\.0\\.0\\.2\\]:25: TLSv1\\.[23]"
                        + " with cipher .*; DANE TLSA 3 1 1 [0-9A-F]{8}.* matched end-entity key at depth 0; level=dane-only"
                        + " effective=dane")
                .containsPattern("to=<user@dane-ok\\.test>, relay=mx\\.dane-ok\\.test\\[127\\.0\\.0\\.2\\]:25, dsn=2\\.0\\.0,"
                        + " status=sent \\(250 ");
    }

    @Test
    void nextMailToTheSameServerUnderTheSameRequirementReusesTheVerifiedConnection() throws Exception {
        start("mailtls.level", "dane-only");
        String first = subject();
        String second = subject();

        mailet.service(mail(first, "user@dane-ok.test"));
        mailet.service(mail(second, "user@dane-ok.test"));

        assertThat(james.delivered("dane-ok.test", first).arrivedOverTls()).isTrue();
        assertThat(james.delivered("dane-ok.test", second).arrivedOverTls()).isTrue();
        // One TLS connection, verified once, carried both transactions (Postfix's connection cache).
        assertThat(james.log().lines().filter(line -> line.contains(" TLS connection ") && line.contains("mx.dane-ok.test")))
                .hasSize(1);
        assertThat(james.log()).contains("to=<user@dane-ok.test>, relay=mx.dane-ok.test[127.0.0.2]:25, conn_use=2, dsn=2.0.0,"
                + " status=sent (250 ");
    }

    @Test
    void connectionIsNotReusedUnderAnotherRule() throws Exception {
        // mx-fallback.test's second MX is mx.dane-ok.test: the same server, but another rule (audit).
        start("mailtls.level", "dane-only", "mailtls.policy.mx-fallback.test", "dane-only action=audit");
        String first = subject();
        String second = subject();

        mailet.service(mail(first, "user@dane-ok.test"));
        mailet.service(mail(second, "user@mx-fallback.test"));

        assertThat(james.delivered("dane-ok.test", first).arrivedOverTls()).isTrue();
        assertThat(james.log()).doesNotContain("conn_use=");
    }

    @Test
    void deliveredMailGoesToTheDeliveredProcessorWhenOneIsConfigured() throws Exception {
        start("mailtls.level", "dane-only", "deliveredProcessor", "sent-archive");
        FakeMail mail = mail(subject(), "user@dane-ta.test");

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo("sent-archive");
        assertThat(mail.getRecipients()).containsExactly(new MailAddress("user@dane-ta.test"));
    }

    @Test
    void strippedStarttlsIsDeferredWithDelayAndAttemptCounterAndNothingButEhloInClear() throws Exception {
        start("retryDelays", "1m,5m");
        FakeMail mail = mail(subject(), "user@starttls-strip.test");

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).hasSize(1);
        FakeMailContext.SentMail retry = context.getSentMails().get(0);
        assertThat(retry.getState()).isEqualTo(JamesBed.PROCESSOR);
        assertThat(retry.getRecipients()).containsExactly(new MailAddress("user@starttls-strip.test"));
        assertThat(delayMillis(retry)).isEqualTo(minutes(1));
        assertThat(attribute(retry, "dev.mailtls.james.attempts")).isEqualTo(1);
        assertThat((String) attribute(retry, "dev.mailtls.james.last-error")).startsWith(
                "454 4.7.4 TLS is required, but was not offered by host mx.starttls-strip.test[127.0.0.4]:25."
                        + " MailTLS Guard policy \"dane\"");
        assertThat(context.getBouncedMails()).isEmpty();

        assertThat(bed.stripProxy().awaitAllClosed(Duration.ofSeconds(30))).isTrue();
        assertThat(bed.stripProxy().connections()).isNotEmpty();
        assertThat(bed.stripProxy().cleartextSensitiveCommands()).isEmpty();
        for (ProxyConnection connection : bed.stripProxy().connections()) {
            // Everything the mailet said to the stripping attacker: its greeting, then it hung up; no MAIL FROM,
            // RCPT TO or DATA, no message byte (the mailet never authenticates to an MX, so AUTH is no measure here).
            assertThat(JamesBed.commands(connection)).as(connection.transcript())
                    .containsExactly("EHLO james.mailtls.invalid");
        }
        assertThat(bed.mailboxes().count("starttls-strip.test")).isZero();

        // James's spool hands the copy back after its delay: attempt 2, the next delay of the schedule.
        context.resetSentMails();
        mailet.service(requeued(retry));
        FakeMailContext.SentMail second = context.getSentMails().get(0);
        assertThat(attribute(second, "dev.mailtls.james.attempts")).isEqualTo(2);
        assertThat(delayMillis(second)).isEqualTo(minutes(5));
        assertThat(attribute(second, "dev.mailtls.james.first-attempt"))
                .isEqualTo(attribute(retry, "dev.mailtls.james.first-attempt"));
    }

    @Test
    void tlsaMismatchIsDeferredThenBouncedWhenTheAttemptsRunOut() throws Exception {
        start("maxAttempts", "2", "bounceProcessor", "bounces");
        FakeMail mail = mail(subject(), "user@dane-mismatch.test");

        mailet.service(mail);
        FakeMailContext.SentMail retry = context.getSentMails().get(0);
        assertThat(retry.getState()).isEqualTo(JamesBed.PROCESSOR);
        assertThat((String) attribute(retry, "dev.mailtls.james.last-error")).startsWith(
                "454 4.7.5 Server certificate not verified: DANE: no TLSA record of _25._tcp.mx.dane-mismatch.test matched");

        context.resetSentMails();
        mailet.service(requeued(retry));

        assertThat(context.getSentMails()).hasSize(1);
        FakeMailContext.SentMail bounce = context.getSentMails().get(0);
        assertThat(bounce.getState()).isEqualTo("bounces");
        assertThat(bounce.getDelay()).isEmpty();
        assertThat(bounce.getRecipients()).containsExactly(new MailAddress("user@dane-mismatch.test"));
        assertThat((String) attribute(bounce, "delivery-error"))
                .startsWith("454 4.7.5 Server certificate not verified: DANE: no TLSA record of _25._tcp.mx.dane-mismatch.test")
                .contains("gave up after 2 attempts").contains("maxAttempts=2");
        assertThat(attribute(bounce, "delivery-error-code")).isEqualTo(454);
        assertThat(attribute(bounce, "is-delivery-permanent-error")).isEqualTo(false);
        assertThat(bed.mailboxes().count("dane-mismatch.test")).isZero();
    }

    @Test
    void deferredMailOlderThanTheMaximumAgeIsBounced() throws Exception {
        start("maxAge", "1d");
        FakeMail mail = mail(subject(), "user@dane-mismatch.test");
        mail.setAttribute(new Attribute(AttributeName.of("dev.mailtls.james.attempts"), AttributeValue.of(3)));
        mail.setAttribute(new Attribute(AttributeName.of("dev.mailtls.james.first-attempt"),
                AttributeValue.of(System.currentTimeMillis() - Duration.ofDays(2).toMillis())));

        mailet.service(mail);

        FakeMailContext.SentMail bounce = context.getSentMails().get(0);
        assertThat(bounce.getState()).isEqualTo("bounces");
        assertThat((String) attribute(bounce, "delivery-error")).startsWith("454 4.7.5 ")
                .contains("gave up after 4 attempts in 2d").contains("maxAge=1d");
    }

    @Test
    void rejectBouncesAtOnceWithTheDsnAttributes() throws Exception {
        start("mailtls.policy.dane-mismatch.test", "dane action=reject");
        FakeMail mail = mail(subject(), "user@dane-mismatch.test");

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).hasSize(1);
        FakeMailContext.SentMail bounce = context.getSentMails().get(0);
        assertThat(bounce.getState()).isEqualTo("bounces");
        assertThat(bounce.getDelay()).isEmpty();
        assertThat((String) attribute(bounce, "delivery-error"))
                .startsWith("554 5.7.5 Server certificate not verified: DANE: no TLSA record of _25._tcp.mx.dane-mismatch.test")
                .contains("MailTLS Guard policy \"dane\" from mailtls.policy.dane-mismatch.test")
                .contains("message rejected (action=reject)");
        assertThat(attribute(bounce, "delivery-error-code")).isEqualTo(554);
        assertThat(attribute(bounce, "is-delivery-permanent-error")).isEqualTo(true);
        assertThat(bed.mailboxes().count("dane-mismatch.test")).isZero();
    }

    @Test
    void bogusMxIsDeferred() throws Exception {
        start();
        FakeMail mail = mail(subject(), "user@bogus-mx.test");

        mailet.service(mail);

        FakeMailContext.SentMail retry = context.getSentMails().get(0);
        assertThat(retry.getState()).isEqualTo(JamesBed.PROCESSOR);
        assertThat(delayMillis(retry)).isEqualTo(minutes(1));
        assertThat((String) attribute(retry, "dev.mailtls.james.last-error")).startsWith("451 4.4.3 MX lookup for bogus-mx.test is bogus")
                .contains("deferring the destination");
        assertThat(bed.mailboxes().count("bogus-mx.test")).isZero();
    }

    @Test
    void mxFallbackDeliversThroughTheSecondMx() throws Exception {
        start("mailtls.level", "dane-only");
        String subject = subject();
        FakeMail mail = mail(subject, "user@mx-fallback.test");

        mailet.service(mail);

        assertThat(james.delivered("mx-fallback.test", subject).arrivedOverTls()).isTrue();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).isEmpty();
        assertThat(james.log()).contains("mx.dane-mismatch.test[127.0.0.2]:25 refused: Server certificate not verified: DANE")
                .contains("Verified TLS connection established to mx.dane-ok.test[127.0.0.2]:25")
                .contains("to=<user@mx-fallback.test>, relay=mx.dane-ok.test[127.0.0.2]:25, dsn=2.0.0, status=sent");
    }

    @Test
    void partialSuccessDeliversOneDomainAndRetriesOnlyTheOther() throws Exception {
        start();
        String subject = subject();
        FakeMail mail = mail(subject, "user@dane-ok.test", "user@starttls-strip.test");

        mailet.service(mail);

        assertThat(james.delivered("dane-ok.test", subject).arrivedOverTls()).isTrue();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(mail.getRecipients()).containsExactly(new MailAddress("user@dane-ok.test"));
        assertThat(context.getSentMails()).hasSize(1);
        FakeMailContext.SentMail retry = context.getSentMails().get(0);
        assertThat(retry.getRecipients()).containsExactly(new MailAddress("user@starttls-strip.test"));
        assertThat(attribute(retry, "dev.mailtls.james.attempts")).isEqualTo(1);
        assertThat(bed.mailboxes().count("starttls-strip.test")).isZero();
    }

    @Test
    void auditDeliversWithTheBestAvailableSecurityAndLogsTheViolation() throws Exception {
        start("mailtls.policy.starttls-strip.test", "dane-only action=audit");
        String subject = subject();
        FakeMail mail = mail(subject, "user@starttls-strip.test");

        mailet.service(mail);

        DeliveredMessage delivered = james.delivered("starttls-strip.test", subject);
        assertThat(delivered.arrivedOverTls()).isFalse();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).isEmpty();
        assertThat(james.log()).contains("AUDIT: plaintext connection to mx.starttls-strip.test[127.0.0.4]:25 violates"
                + " level=dane-only effective=dane");
    }

    @Test
    void refusedStarttlsIsDeferredWithoutPlaintextFallback() throws Exception {
        start();
        FakeMail mail = mail(subject(), "user@starttls-fail.test");

        mailet.service(mail);

        FakeMailContext.SentMail retry = context.getSentMails().get(0);
        assertThat((String) attribute(retry, "dev.mailtls.james.last-error")).startsWith(
                "454 4.7.4 TLS is required, but host mx.starttls-fail.test[127.0.0.5]:25 refused to start TLS: 454 4.7.0");
        assertThat(bed.failProxy().awaitAllClosed(Duration.ofSeconds(30))).isTrue();
        assertThat(bed.failProxy().cleartextSensitiveCommands()).isEmpty();
        for (ProxyConnection connection : bed.failProxy().connections()) {
            // STARTTLS refused (454): no plaintext fallback, the mailet hangs up.
            assertThat(JamesBed.commands(connection)).as(connection.transcript())
                    .containsExactly("EHLO james.mailtls.invalid", "STARTTLS");
        }
        assertThat(bed.mailboxes().count("starttls-fail.test")).isZero();
    }

    @Test
    void levelMayFallsBackToPlaintextWhenStarttlsIsRefused() throws Exception {
        start("mailtls.policy.starttls-fail.test", "may");
        String subject = subject();
        FakeMail mail = mail(subject, "user@starttls-fail.test");

        mailet.service(mail);

        assertThat(james.delivered("starttls-fail.test", subject).arrivedOverTls()).isFalse();
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        // First the refused STARTTLS, then, level may, the whole transaction in plaintext on a new connection.
        assertThat(bed.failProxy().awaitAllClosed(Duration.ofSeconds(30))).isTrue();
        assertThat(bed.failProxy().connections()).hasSize(2);
        assertThat(JamesBed.commands(bed.failProxy().connections().get(0))).containsExactly("EHLO james.mailtls.invalid",
                "STARTTLS");
        assertThat(bed.failProxy().connections().get(1).cleartextSensitiveCommands())
                .containsExactly("MAIL FROM:<sender@james.mailtls.invalid>", "RCPT TO:<user@starttls-fail.test>", "DATA");
        assertThat(context.getSentMails()).isEmpty();
        assertThat(james.log()).contains("mx.starttls-fail.test[127.0.0.5]:25 refused to start TLS")
                .contains("plaintext connection to mx.starttls-fail.test[127.0.0.5]:25; level=may effective=may");
    }
}
