package dev.mailtls.james;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.MessagingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.james.core.MailAddress;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The matcher picks recipients by their domain's configured level, read from {@code -Dmailtls.*}. */
class RecipientTlsPolicyIsTest {
    @BeforeEach
    void configure() {
        System.setProperty("mailtls.dns.servers", "127.0.0.1:53");
        System.setProperty("mailtls.level", "may");
        System.setProperty("mailtls.policy.bank.example", "dane-only");
        System.setProperty("mailtls.policy.*.gov.example", "verify");
    }

    @AfterEach
    void clear() {
        for (String key : new String[] {"mailtls.dns.servers", "mailtls.level", "mailtls.policy.bank.example",
                "mailtls.policy.*.gov.example"}) {
            System.clearProperty(key);
        }
    }

    private static RecipientTlsPolicyIs matcher(String condition) throws MessagingException {
        RecipientTlsPolicyIs matcher = new RecipientTlsPolicyIs();
        matcher.init(FakeMatcherConfig.builder().matcherName("RecipientTlsPolicyIs").condition(condition).build());
        return matcher;
    }

    @Test
    void matchesOnlyRecipientsWhoseDomainHasAListedLevel() throws MessagingException {
        FakeMail mail = FakeMail.builder().name("m").recipients("a@bank.example", "b@tax.gov.example", "c@shop.example")
                .build();
        assertThat(matcher("dane-only, verify").match(mail))
                .containsExactly(new MailAddress("a@bank.example"), new MailAddress("b@tax.gov.example"));
        assertThat(matcher("may").match(mail)).containsExactly(new MailAddress("c@shop.example"));
    }

    @Test
    void conditionCanNameTheConfigurationFileTheMailetReads() throws Exception {
        Path file = Files.createTempFile("mailtls", ".properties");
        try {
            Files.write(file, List.of("mailtls.level = may", "mailtls.policy.shop.example = dane"));
            FakeMail mail = FakeMail.builder().name("m").recipients("a@bank.example", "c@shop.example").build();
            // The file's rules, then -Dmailtls.* (mailtls.policy.bank.example = dane-only) on top, as for the mailet.
            assertThat(matcher("dane;config=" + file).match(mail)).containsExactly(new MailAddress("c@shop.example"));
            assertThat(matcher("dane-only ; config=" + file).match(mail)).containsExactly(new MailAddress("a@bank.example"));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void somethingElseAfterTheLevelsIsRefused() {
        assertThatThrownBy(() -> matcher("dane;file=/etc/mailtls.properties")).isInstanceOf(MessagingException.class)
                .hasMessage("matcher RecipientTlsPolicyIs=dane;file=/etc/mailtls.properties: after the levels only"
                        + " \";config=FILE\" may follow, naming the MailTLS Guard configuration file, e.g."
                        + " RecipientTlsPolicyIs=dane,dane-only;config=/etc/mailtls.properties");
    }

    @Test
    void missingConfigurationFileOfTheConditionFailsStartup() {
        assertThatThrownBy(() -> matcher("dane;config=/nonexistent/mailtls.properties")).isInstanceOf(MessagingException.class)
                .hasMessageContaining("matcher RecipientTlsPolicyIs=dane;config=/nonexistent/mailtls.properties cannot start")
                .hasMessageContaining("/nonexistent/mailtls.properties (matcher condition config=)");
    }

    @Test
    void unknownLevelFailsStartupWithTheAllowedOnes() {
        assertThatThrownBy(() -> matcher("dane,dane-onyl")).isInstanceOf(MessagingException.class)
                .hasMessage("matcher RecipientTlsPolicyIs=dane,dane-onyl: unknown level \"dane-onyl\"; allowed: none, may,"
                        + " encrypt, dane, dane-only, verify, secure");
    }

    @Test
    void badConfigurationFailsStartup() {
        System.setProperty("mailtls.level", "sometimes");
        assertThatThrownBy(() -> matcher("dane")).isInstanceOf(MessagingException.class)
                .hasMessageContaining("system property -Dmailtls.level: mailtls.level = \"sometimes\": unknown level");
    }
}
