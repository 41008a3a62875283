package dev.mailtls.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The table cells and the self-check, on lines as the agent and the application print them. */
class ScenarioResultTest {
    private static final String VERIFIED = "mailtls: Verified TLS connection established to honest.demo.test[127.0.0.1]:33737:"
            + " TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits); DANE TLSA 3 1 1 8B49E668… matched end-entity key"
            + " at depth 0; level=dane effective=dane (1 usable TLSA records at _33737._tcp.honest.demo.test)";
    private static final String NO_TLSA_MATCHED = "mailtls: smtp connection to substituted.demo.test:40355 refused: Server"
            + " certificate not verified: DANE: no TLSA record of _40355._tcp.substituted.demo.test matched; depth 0 SPKI"
            + " sha256 = F2B6; expected: 3 1 1 8B49. Publish a TLSA record.; level=dane effective=dane (1 usable TLSA records"
            + " at _40355._tcp.substituted.demo.test) action=defer (mailtls.level)";
    private static final String NOT_OFFERED = "mailtls: smtp connection to legacy.demo.test:38517 refused: TLS is required,"
            + " but was not offered by host legacy.demo.test; level=dane effective=encrypt (no DANE: fallback encrypt)"
            + " action=defer (mailtls.level)";
    private static final String FAILED_474 = "FAILED com.sun.mail.smtp.SMTPSendFailedException: 454 4.7.4 TLS is required,"
            + " but was not offered by host stripped.demo.test. MailTLS Guard policy \"dane\"; message deferred.";

    private static PlaintextExposure nothing() {
        return PlaintextExposure.of(new byte[0]);
    }

    private static PlaintextExposure loginAndMail() {
        return PlaintextExposure.of("EHLO x\r\nAUTH PLAIN AHUAcA==\r\nMAIL FROM:<a@b.test>\r\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void verifiedConnectionShowsTrustEffectiveLevelAndMatchingRecord() {
        ScenarioResult result = new ScenarioResult(Scenario.HONEST_WITH_AGENT, "SENT", VERIFIED, true, nothing());
        assertThat(result.decisionCell()).isEqualTo("Verified [dane]: DANE TLSA 3 1 1 8B49E668… matched");
        assertThat(result.applicationCell()).isEqualTo("sent");
        assertThat(result.unexpected()).isEmpty();
    }

    @Test
    void refusalShowsItsFirstSentenceWithoutNames() {
        ScenarioResult substituted = new ScenarioResult(Scenario.SUBSTITUTED_WITH_AGENT, "FAILED x.SMTPSendFailedException:"
                + " 454 4.7.5 Server certificate not verified: DANE: no TLSA record of _1._tcp.h matched", NO_TLSA_MATCHED,
                false, nothing());
        assertThat(substituted.decisionCell()).isEqualTo("refused [dane]: no TLSA record matched");
        assertThat(substituted.applicationCell()).isEqualTo("failed: 454 4.7.5 ...");
        assertThat(substituted.unexpected()).isEmpty();
        ScenarioResult legacy = new ScenarioResult(Scenario.NO_STARTTLS_WITH_AGENT, FAILED_474, NOT_OFFERED, false, nothing());
        assertThat(legacy.decisionCell()).isEqualTo("refused [encrypt]: TLS is required, but was not offered");
        assertThat(legacy.unexpected()).isEmpty();
    }

    @Test
    void strippedConnectionThatSentAnywayFailsTheSelfCheck() {
        ScenarioResult result = new ScenarioResult(Scenario.STRIPPED_WITH_AGENT, "SENT", null, true, loginAndMail());
        assertThat(result.unexpected()).hasSize(4);
    }

    @Test
    void baselineWithoutPlaintextLoginFailsTheSelfCheck() {
        ScenarioResult result = new ScenarioResult(Scenario.STRIPPED_WITHOUT_AGENT, "SENT", null, true, nothing());
        assertThat(result.decisionCell()).isEqualTo("- (no agent)");
        assertThat(result.unexpected()).singleElement().asString().contains("AUTH and MAIL should have crossed in plaintext");
    }
}
