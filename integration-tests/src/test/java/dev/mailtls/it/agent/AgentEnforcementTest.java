package dev.mailtls.it.agent;

import static dev.mailtls.it.agent.AgentBed.delivered;
import static dev.mailtls.it.agent.AgentBed.subject;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The agent in unmodified applications, one per mail library generation, each in a JVM of its
 * own with {@code -javaagent}, sending to the bed's Postfix through the bed's DNSSEC resolver.
 * Every test asserts what reached the wire or the mailbox, and what the application was told.
 */
class AgentEnforcementTest extends AgentBedTest {
    private String agentConfig(String... lines) {
        return AgentBed.agentConfig(dir, lines);
    }

    private static SenderRun sender(MailLibrary library, String host, String subject, String style) {
        return AgentBed.sampleSender(library, host, 25, subject, style);
    }

    @ParameterizedTest
    @EnumSource(MailLibrary.class)
    void daneAuthenticatedDeliveryArrivesOverTls(MailLibrary library) {
        checkDaneDelivery(library, SenderRun.TEST_JAVA_HOME);
    }

    @ParameterizedTest
    @EnumSource(MailLibrary.class)
    void strippedStartTlsSendsNothingInClearAndDefers(MailLibrary library) {
        checkStrippedStartTlsDefers(library, SenderRun.TEST_JAVA_HOME);
    }

    /**
     * Both checks again with the applications on Java 17 (the test's own JDK is newer): one test
     * per library, as the bed allows one sending JVM at a time.
     */
    @ParameterizedTest
    @EnumSource(MailLibrary.class)
    void onJava17DaneDeliveryArrivesAndStrippedStartTlsDefers(MailLibrary library) {
        Path java17 = Jdks.java17();

        checkDaneDelivery(library, java17);
        bed.reset();
        checkStrippedStartTlsDefers(library, java17);
    }

    private void checkDaneDelivery(MailLibrary library, Path javaHome) {
        String subject = subject();

        SenderRun.Result result = sender(library, "mx.dane-ok.test", subject, "starttls").javaHome(javaHome)
                .agent(agentConfig("mailtls.level = dane-only")).run();

        assertThat(result.outcome()).as(result.toString()).isEqualTo("SENT");
        assertThat(result.stderr()).contains("Verified TLS connection established to mx.dane-ok.test[127.0.0.2]:25: TLSv1.3")
                .contains("DANE TLSA 3 1 1");
        assertThat(delivered("dane-ok.test", subject).arrivedOverTls()).isTrue();
    }

    private void checkStrippedStartTlsDefers(MailLibrary library, Path javaHome) {
        bed.stripProxy().setFakeAuth(true);

        SenderRun.Result result = sender(library, "mx.starttls-strip.test", subject(), "starttls").javaHome(javaHome)
                .arguments("mailer", "s3cret-password")
                .agent(agentConfig("mailtls.level = dane-only")).run();

        assertThat(result.outcome()).as(result.toString())
                .startsWith("FAILED " + library.smtpPackage() + ".SMTPSendFailedException: 454 4.7.4 TLS is required, but was not offered");
        AgentBed.assertNothingSensitiveInClear(bed.stripProxy(), "s3cret");
        assertThat(result.stderr()).doesNotContain("s3cret-password");
    }

    @ParameterizedTest
    @EnumSource(MailLibrary.class)
    void tlsaMismatchIsRefusedEvenWithACertificateOfATrustedCa(MailLibrary library) {
        String subject = subject();

        SenderRun.Result result = sender(library, "mx.dane-mismatch.test", subject, "starttls")
                .agent(agentConfig("mailtls.level = dane-only")).run();

        assertThat(result.outcome()).as(result.toString())
                .startsWith("FAILED " + library.smtpPackage() + ".SMTPSendFailedException: 454 4.7.5 Server certificate not verified: DANE: no TLSA record of _25._tcp.mx.dane-mismatch.test matched");
        assertThat(bed.mailboxes().messages("dane-mismatch.test")).isEmpty();
    }

    @Test
    void rejectActionGivesAPermanentFailure() {
        SenderRun.Result result = sender(MailLibrary.ANGUS_MAIL_2_0_3, "mx.dane-mismatch.test", subject(), "starttls")
                .agent(agentConfig("mailtls.level = dane-only", "mailtls.action = reject")).run();

        assertThat(result.outcome()).as(result.toString())
                .startsWith("FAILED org.eclipse.angus.mail.smtp.SMTPSendFailedException: 554 5.7.5 Server certificate not verified")
                .contains("message rejected (action=reject)");
    }

    @Test
    void auditDeliversAndSaysSoLoudly() {
        String subject = subject();

        SenderRun.Result result = sender(MailLibrary.JAVAX_MAIL_1_6_2, "mx.dane-mismatch.test", subject, "starttls")
                .agent(agentConfig("mailtls.level = dane-only", "mailtls.action = audit")).run();

        assertThat(result.outcome()).as(result.toString()).isEqualTo("SENT");
        assertThat(result.stderr()).contains("AUDIT: DANE: no TLSA record of _25._tcp.mx.dane-mismatch.test matched")
                .contains("sending anyway because action=audit");
        assertThat(delivered("dane-mismatch.test", subject).arrivedOverTls()).isTrue();
    }

    @Test
    void applicationThatTurnsStartTlsOffIsOverruled() {
        String subject = subject();

        SenderRun.Result result = sender(MailLibrary.JAKARTA_MAIL_2_0_1, "mx.dane-ok.test", subject, "notls")
                .agent(agentConfig("mailtls.level = dane-only")).run();

        assertThat(result.outcome()).as(result.toString()).isEqualTo("SENT");
        assertThat(delivered("dane-ok.test", subject).arrivedOverTls()).isTrue();
    }

    @Test
    void levelNoneSendsInPlaintextAsPostfixWould() {
        String subject = subject();

        SenderRun.Result result = sender(MailLibrary.JAKARTA_MAIL_2_0_1, "mx.dane-ok.test", subject, "starttls")
                .agent(agentConfig("mailtls.level = none")).run();

        assertThat(result.outcome()).as(result.toString()).isEqualTo("SENT");
        assertThat(delivered("dane-ok.test", subject).arrivedOverTls()).isFalse();
    }

    @Test
    void levelMayFallsBackToPlaintextWhereNoTlsIsOffered() {
        String subject = subject();

        SenderRun.Result result = sender(MailLibrary.ANGUS_MAIL_2_0_3, "mx.no-tls.test", subject, "plain")
                .agent(agentConfig("mailtls.level = may")).run();

        assertThat(result.outcome()).as(result.toString()).isEqualTo("SENT");
        assertThat(delivered("no-tls.test", subject).arrivedOverTls()).isFalse();
    }

    @Test
    void daneFallsBackToEncryptWhereNoTlsaIsPublished() {
        String subject = subject();

        SenderRun.Result result = sender(MailLibrary.ANGUS_MAIL_2_0_3, "mx.no-dane.test", subject, "plain")
                .agent(agentConfig("mailtls.level = dane fallback=encrypt")).run();

        assertThat(result.outcome()).as(result.toString()).isEqualTo("SENT");
        assertThat(result.stderr()).contains("effective=encrypt");
        assertThat(delivered("no-dane.test", subject).arrivedOverTls()).isTrue();
    }

    @Test
    void bogusTlsaDefersBeforeAnyConnection() {
        SenderRun.Result result = sender(MailLibrary.ANGUS_MAIL_2_0_3, "mx.bogus-tlsa.test", subject(), "starttls")
                .agent(agentConfig("mailtls.level = dane")).run();

        assertThat(result.outcome()).as(result.toString())
                .startsWith("FAILED org.eclipse.angus.mail.smtp.SMTPSendFailedException: 454 4.7.5 TLSA lookup error");
        assertThat(bed.mailboxes().messages("bogus-tlsa.test")).isEmpty();
    }

    @Test
    void brokenConfigurationBlocksAllSmtpSending() {
        SenderRun.Result result = sender(MailLibrary.JAVAX_MAIL_1_4_7, "mx.dane-ok.test", subject(), "starttls")
                .agent(agentConfig("mailtls.levle = dane-only")).run();

        assertThat(result.stderr()).contains("mailtls.levle").contains("did you mean mailtls.level?")
                .contains("all SMTP sending is blocked");
        assertThat(result.outcome()).startsWith("FAILED com.sun.mail.smtp.SMTPSendFailedException: 454 4.7.5 MailTLS Guard blocks SMTP sending");
        assertThat(bed.mailboxes().messages("dane-ok.test")).isEmpty();
    }
}
