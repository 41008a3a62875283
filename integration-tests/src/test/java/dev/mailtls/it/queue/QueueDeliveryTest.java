package dev.mailtls.it.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.agent.MailLibrary;
import dev.mailtls.it.bed.DeliveredMessage;
import dev.mailtls.it.bed.StarttlsProxy;
import dev.mailtls.it.bed.TestDomains;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A destination whose STARTTLS is stripped, then fixed: with {@code mailtls.queue.dir} the
 * application's sends return normally while nothing crosses the wire in clear, and every
 * accepted message arrives exactly once after the fix, re-sent by the agent's worker through the
 * application's own mail library.
 */
class QueueDeliveryTest extends QueueBedTest {
    private static final String STRIPPED = "mx." + TestDomains.STARTTLS_STRIP;
    private static final String RECIPIENT = "user@" + TestDomains.STARTTLS_STRIP;

    @Test
    void thousandMessagesFromEightThreadsWaitUnreadWhileStrippedAndArriveOnceWhenFixed() {
        AppProcess app = startApp(MailLibrary.ANGUS_MAIL_2_0_3, queueConfig(), List.of(STRIPPED), STRIPPED, RECIPIENT, 1000, 8, "send");

        String done = app.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(5));

        assertThat(done).as(app.toString()).isEqualTo("DONE accepted=1000 failed=0");
        List<String> accepted = QueueBed.accepted(acceptedLog());
        assertThat(accepted).hasSize(1000).doesNotHaveDuplicates();
        QueueBed.assertNothingInClear(mx);
        assertThat(bed.mailboxes().count(TestDomains.STARTTLS_STRIP)).isZero();
        assertThat(QueueMBean.attribute(app.pid(), queueDir(), "QueueLength")).isEqualTo(1000);

        mx.switchTo(StarttlsProxy.Mode.PASS);
        Map<String, Integer> arrived = QueueBed.awaitArrivals(TestDomains.STARTTLS_STRIP, accepted, 300, app);

        assertThat(arrived.keySet()).as("nothing but the accepted messages arrived").hasSameElementsAs(accepted);
        assertThat(QueueBed.duplicates(arrived)).as("messages that arrived more than once").isEmpty();
        assertThat(bed.mailboxes().messages(TestDomains.STARTTLS_STRIP)).allMatch(DeliveredMessage::arrivedOverTls);
        assertThat(mx.cleartextSensitiveCommands()).isEmpty();
        awaitEmptyQueue(app);
        // The counter follows the removal of each entry.
        assertThat(QueueMBean.awaitAttribute(app.pid(), queueDir(), "Deliveries", 1000L)).isEqualTo(1000L);
        assertThat(app.finish()).isZero();
    }

    /**
     * Every mail library generation, with both ways of sending: the static {@code Transport.send}
     * and {@code connect()} then {@code sendMessage()} on the application's own transport.
     */
    @ParameterizedTest
    @EnumSource(MailLibrary.class)
    void everyGenerationQueuesBothSendPatternsAndDeliversWhenFixed(MailLibrary library) {
        AppProcess app = startApp(library, queueConfig(), List.of(STRIPPED), STRIPPED, RECIPIENT, 2, 1, "mixed");

        assertThat(app.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(app.toString())
                .isEqualTo("DONE accepted=2 failed=0");
        List<String> accepted = QueueBed.accepted(acceptedLog());
        QueueBed.assertNothingInClear(mx);
        assertThat(app.stderr()).contains("refused: TLS is required, but was not offered by host " + STRIPPED)
                .containsPattern("queued, from=<sender@client.test>, to=<" + RECIPIENT + ">, relay=" + STRIPPED + ":25");

        mx.switchTo(StarttlsProxy.Mode.PASS);
        Map<String, Integer> arrived = QueueBed.awaitArrivals(TestDomains.STARTTLS_STRIP, accepted, 120, app);

        assertThat(arrived).containsOnlyKeys(accepted).allSatisfy((id, count) -> assertThat(count).isOne());
        assertThat(bed.mailboxes().messages(TestDomains.STARTTLS_STRIP)).allMatch(DeliveredMessage::arrivedOverTls);
        // Postfix has the message before the worker logs its 250: wait for the line, don't race it.
        app.awaitLog("status=sent", Duration.ofMinutes(1));
        assertThat(app.finish()).isZero();
    }
}
