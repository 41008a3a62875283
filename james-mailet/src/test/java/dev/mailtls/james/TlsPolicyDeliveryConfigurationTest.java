package dev.mailtls.james;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.MessagingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad init parameter fails James's start-up with a message naming it and what is allowed; no network. */
class TlsPolicyDeliveryConfigurationTest {
    @TempDir
    Path dir;

    private static FakeMailetConfig.Builder config(String... nameValues) {
        FakeMailetConfig.Builder builder = FakeMailetConfig.builder().mailetName("relay-tls-delivery")
                .mailetContext(FakeMailContext.defaultContext())
                // Loopback, never asked: no mail is delivered in these tests.
                .setProperty("mailtls.dns.servers", "127.0.0.1:53");
        for (int i = 0; i < nameValues.length; i += 2) {
            builder.setProperty(nameValues[i], nameValues[i + 1]);
        }
        return builder;
    }

    private static MessagingException initFails(FakeMailetConfig.Builder config) {
        TlsPolicyDelivery mailet = new TlsPolicyDelivery();
        try {
            mailet.init(config.build());
        } catch (MessagingException expected) {
            return expected;
        } finally {
            mailet.destroy();
        }
        throw new AssertionError("init() accepted the configuration");
    }

    @Test
    void validParametersStart() throws MessagingException {
        TlsPolicyDelivery mailet = new TlsPolicyDelivery();
        mailet.init(config("retryDelays", "30s, 2m", "maxAttempts", "4", "maxAge", "2h", "heloName", "mail.example.com",
                "connectionTimeout", "10s", "timeout", "1m", "bounceProcessor", "bounces", "mailtls.level", "dane-only",
                "onMailetException", "propagate").build());
        mailet.destroy();
    }

    @Test
    void unknownInitParameterIsNamedWithTheAllowedOnes() {
        assertThat(initFails(config("retryDelay", "1m")).getMessage())
                .contains("TlsPolicyDelivery mailet relay-tls-delivery cannot start")
                .contains("init parameter retryDelay: unknown parameter; allowed: config, bounceProcessor, retryProcessor,"
                        + " deliveredProcessor, retryDelays, maxAttempts, maxAge, heloName, connectionTimeout, timeout");
    }

    @Test
    void everyBadParameterIsReportedAtOnce() {
        assertThat(initFails(config("retryDelays", "1m,soon", "maxAttempts", "0", "maxAge", "5 weeks",
                "connectionTimeout", "2h", "bounceProcessor", "my bounces")).getMessage())
                .contains("init parameter retryDelays = \"1m,soon\": \"soon\" is not a duration")
                .contains("init parameter maxAttempts = \"0\": not a whole number of at least 1")
                .contains("init parameter maxAge: \"5 weeks\" is not a duration; write a whole number with a unit")
                .contains("init parameter connectionTimeout = \"2h\": out of range; allowed: 1s to 1h")
                .contains("init parameter bounceProcessor = \"my bounces\": not a processor name");
    }

    @Test
    void retryDelayBelowOneSecondIsRefused() {
        assertThat(initFails(config("retryDelays", "500ms,1m")).getMessage())
                .contains("init parameter retryDelays = \"500ms,1m\": 500ms is shorter than 1s");
    }

    @Test
    void inlinePolicyKeysGiveTheConfigurationErrorsNamingTheInitParameter() {
        assertThat(initFails(config("mailtls.level", "dane-onyl", "mailtls.dns.timout", "5s")).getMessage())
                .contains("init parameter mailtls.level = \"dane-onyl\": unknown level \"dane-onyl\"; allowed: none, may,"
                        + " encrypt, dane, dane-only, verify, secure")
                .contains("init parameter mailtls.dns.timout = \"5s\": unknown key (did you mean mailtls.dns.timeout?)");
    }

    @Test
    void fileErrorsNameTheFileAndLine() throws IOException {
        Path file = dir.resolve("mailtls.properties");
        Files.write(file, List.of("mailtls.level = dane", "mailtls.action = bounce"));
        assertThat(initFails(config("config", file.toString())).getMessage())
                .contains("MailTLS Guard configuration from " + file.toAbsolutePath() + " (init parameter config) is invalid")
                .contains(file + ":2: mailtls.action = \"bounce\": unknown action; allowed: defer, reject, audit");
    }

    @Test
    void missingFileIsReported() {
        Path missing = dir.resolve("absent.properties");
        assertThat(initFails(config("config", missing.toString())).getMessage()).contains(missing.toString());
    }
}
