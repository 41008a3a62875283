package dev.mailtls.james;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.MessagingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Init parameters: good ones start the mailet and are used; a bad one fails James's start-up with a
 * message naming it and what is allowed. No network (in-line mode: no queue factory injected).
 */
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
    void validParametersStartAndAreUsed() throws MessagingException {
        FakeMailContext context = FakeMailContext.defaultContext();
        TlsPolicyDelivery mailet = new TlsPolicyDelivery();
        try {
            mailet.init(config("retryDelays", "30s, 2m", "maxAttempts", "4", "maxAge", "2h", "heloName", "mail.example.com",
                    "connectionTimeout", "10s", "timeout", "1m", "bounceProcessor", "tls-bounces", "mailtls.level",
                    "dane-only", "outgoingQueue", "tls-out", "deliveryThreads", "3", "onMailetException", "propagate")
                    .mailetContext(context).build());
            // Started: a mail is served, and its bounce goes where bounceProcessor says (no network for an address literal).
            FakeMail mail = FakeMail.builder().name("m").sender("sender@example.com").recipients("user@[192.0.2.1]")
                    .state("relay").mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setText("x")).build();
            mailet.service(mail);
            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(context.getSentMails()).singleElement().satisfies(bounce -> {
                assertThat(bounce.getState()).isEqualTo("tls-bounces");
                assertThat(bounce.getAttributes().get(AttributeName.of("delivery-error")).getValue().value().toString())
                        .startsWith("550 5.1.2 ");
            });
        } finally {
            mailet.destroy();
        }
    }

    @Test
    void parametersAreReadAsWritten() {
        Map<String, String> values = Map.of("retryDelays", "30s, 2m", "maxAttempts", "4", "maxAge", "2h", "heloName",
                "mail.example.com", "connectionTimeout", "10s", "timeout", "1m", "bounceProcessor", "tls-bounces",
                "retryProcessor", "tls-deferred", "outgoingQueue", "tls-out", "deliveryThreads", "3");
        DeliveryParameters parameters = DeliveryParameters.read(values.keySet().iterator(), values::get);
        assertThat(parameters.retrySchedule).hasToString("retryDelays=30s,2m maxAttempts=4 maxAge=2h");
        assertThat(parameters.heloName).isEqualTo("mail.example.com");
        assertThat(parameters.connectionTimeoutMillis).isEqualTo(10_000);
        assertThat(parameters.timeoutMillis).isEqualTo(60_000);
        assertThat(parameters.bounceProcessor).isEqualTo("tls-bounces");
        assertThat(parameters.retryProcessor).isEqualTo("tls-deferred");
        assertThat(parameters.deliveredProcessor).isNull();
        assertThat(parameters.outgoingQueue).isEqualTo("tls-out");
        assertThat(parameters.deliveryThreads).isEqualTo(3);
    }

    @Test
    void processorsMayBeNamedLikeJamesQueues() {
        // Only outgoingQueue names a queue; a processor called "outgoing" or "spool" is no clash.
        Map<String, String> values = Map.of("bounceProcessor", "outgoing", "retryProcessor", "spool");
        DeliveryParameters parameters = DeliveryParameters.read(values.keySet().iterator(), values::get);
        assertThat(parameters.bounceProcessor).isEqualTo("outgoing");
        assertThat(parameters.retryProcessor).isEqualTo("spool");
    }

    @Test
    void defaultsAreRemoteDeliverysConcurrencyAndAQueueOfItsOwn() {
        DeliveryParameters parameters = DeliveryParameters.read(Collections.emptyIterator(), name -> null);
        assertThat(parameters.outgoingQueue).isEqualTo("mailtls-outgoing");
        assertThat(parameters.deliveryThreads).isEqualTo(10 * Runtime.getRuntime().availableProcessors());
        assertThat(parameters.retrySchedule).hasToString("retryDelays=1m,5m,15m,1h,4h maxAttempts=35 maxAge=5d");
    }

    @Test
    void jamesOwnQueuesAreRefused() {
        assertThat(initFails(config("outgoingQueue", "spool")).getMessage())
                .contains("init parameter outgoingQueue = \"spool\": James's own spool queue; another consumer of it would"
                        + " take mail past this mailet's policy. Use a queue of its own, e.g. mailtls-outgoing");
        assertThat(initFails(config("outgoingQueue", "outgoing")).getMessage())
                .contains("init parameter outgoingQueue = \"outgoing\": James's own outgoing queue");
        assertThat(initFails(config("outgoingQueue", "my queue")).getMessage())
                .contains("init parameter outgoingQueue = \"my queue\": not a mail queue name");
    }

    @Test
    void deliveryThreadsAreBounded() {
        assertThat(initFails(config("deliveryThreads", "5000")).getMessage())
                .contains("init parameter deliveryThreads = \"5000\": not a whole number of at least 1 and at most 1000");
    }

    @Test
    void unknownInitParameterIsNamedWithTheAllowedOnes() {
        assertThat(initFails(config("retryDelay", "1m")).getMessage())
                .contains("TlsPolicyDelivery mailet relay-tls-delivery cannot start")
                .contains("init parameter retryDelay: unknown parameter; allowed: config, bounceProcessor, retryProcessor,"
                        + " deliveredProcessor, retryDelays, maxAttempts, maxAge, heloName, connectionTimeout, timeout,"
                        + " outgoingQueue, deliveryThreads");
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
