package dev.mailtls.it.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.agent.SenderLibrary;
import dev.mailtls.it.agent.SenderRun;
import dev.mailtls.it.bed.StarttlsProxy;
import dev.mailtls.it.bed.TestDomains;
import dev.mailtls.queue.QueuedMessage;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Spring's {@code JavaMailSenderImpl.send} and Commons Email's {@code send()} return normally when
 * the policy defers and a queue is configured; the message waits in the queue after the
 * application has ended, and the next application run that uses the queue delivers it once the
 * destination is fixed.
 */
class QueueSenderLibraryTest extends QueueBedTest {
    private static final String STRIPPED = "mx." + TestDomains.STARTTLS_STRIP;
    private static final String RECIPIENT = "user@" + TestDomains.STARTTLS_STRIP;

    @ParameterizedTest
    @EnumSource(value = SenderLibrary.class, names = {"SPRING_5_3", "SPRING_6_2", "COMMONS_EMAIL_1_5"})
    void sendReturnsNormallyAndTheQueuedMessageArrivesOnceTheDestinationIsFixed(SenderLibrary sender) {
        String prefix = "queue-" + UUID.randomUUID();

        // One scenario: a message to user@starttls-strip.test with the subject PREFIX-queued.
        SenderRun.Result result = SenderRun.senderApp(sender).agent("config=" + queueConfig())
                .jvmOption("-Djdk.net.hosts.file=" + QueueBed.hostsFile(dir, STRIPPED))
                .arguments("scenarios", prefix, "queued," + STRIPPED + ",25,starttls").run();

        assertThat(result.scenario("queued").outcome()).as(result.toString()).isEqualTo("SENT");
        QueueBed.assertNothingInClear(mx);
        List<QueuedMessage> queued = queued(false);
        assertThat(queued).as(result.toString()).hasSize(1);
        assertThat(queued.get(0).envelope().sender()).isEqualTo("sender@client.test");
        assertThat(queued.get(0).envelope().recipients()).containsExactly(RECIPIENT);

        mx.switchTo(StarttlsProxy.Mode.PASS);
        // The next run's first connection makes its mail library known, and its worker re-sends.
        AppProcess next = startApp(sender.mailLibrary(), queueConfig(), List.of(STRIPPED), STRIPPED, RECIPIENT, 1, 1, "send");
        assertThat(next.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(next.toString())
                .isEqualTo("DONE accepted=1 failed=0");

        assertThat(QueueBed.awaitSubject(TestDomains.STARTTLS_STRIP, prefix + "-queued", 60, next).arrivedOverTls()).isTrue();
        assertThat(next.finish()).isZero();
        assertThat(queued(false)).isEmpty();
    }
}
