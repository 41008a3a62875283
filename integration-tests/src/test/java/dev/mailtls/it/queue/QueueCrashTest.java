package dev.mailtls.it.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.agent.MailLibrary;
import dev.mailtls.it.bed.DeliveredMessage;
import dev.mailtls.it.bed.StarttlsProxy;
import dev.mailtls.it.bed.TestDomains;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Crash safety: the application JVM is killed with {@code SIGKILL} at random points, first while
 * it queues messages for a stripped destination (its worker retrying them meanwhile), then, with
 * the destination fixed, while the worker re-sends them and the application sends new ones. After
 * a final start every message the application was told was accepted (its accepted log is forced
 * to disk after each send returns) has arrived. A message can arrive twice only when a kill falls
 * between the server's final 250 and the removal of the queue entry; such duplicates are counted
 * and may be at most one per delivery thread and kill during delivery.
 */
class QueueCrashTest extends QueueBedTest {
    private static final String STRIPPED = "mx." + TestDomains.STARTTLS_STRIP;
    private static final String RECIPIENT = "user@" + TestDomains.STARTTLS_STRIP;
    private static final int KILLS_WHILE_QUEUEING = 12;
    private static final int KILLS_WHILE_RETRYING = 10;
    /** The agent's queue worker re-sends up to this many messages at a time. */
    private static final int DELIVERY_THREADS = 4;

    @Test
    void sigkillAtRandomPointsWhileQueueingAndWhileRetryingLosesNoAcceptedMessage() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path config = queueConfig();
        int retriedBeforeAKill = 0;

        for (int run = 0; run < KILLS_WHILE_QUEUEING; run++) {
            AppProcess app = startApp(MailLibrary.ANGUS_MAIL_2_0_3, config, List.of(STRIPPED), STRIPPED, RECIPIENT, 0, 2,
                    "mixed");
            app.awaitLine(line -> line.startsWith("ACCEPTED"), Duration.ofMinutes(1));
            AppProcess.pause(random.nextInt(800));
            app.kill();
        }
        int acceptedWhileStripped = QueueBed.accepted(acceptedLog()).size();
        QueueBed.assertNothingInClear(mx);
        assertThat(bed.mailboxes().count(TestDomains.STARTTLS_STRIP)).isZero();

        mx.switchTo(StarttlsProxy.Mode.PASS);
        for (int run = 0; run < KILLS_WHILE_RETRYING; run++) {
            AppProcess app = startApp(MailLibrary.ANGUS_MAIL_2_0_3, config, List.of(STRIPPED), STRIPPED, RECIPIENT, 0, 1,
                    "mixed");
            // Its first own message makes the library known: from then on the worker re-sends.
            app.awaitLine(line -> line.startsWith("ACCEPTED"), Duration.ofMinutes(1));
            AppProcess.pause(random.nextInt(1500));
            app.kill();
            if (app.stderr().contains("status=sent")) {
                retriedBeforeAKill++;
            }
        }

        AppProcess last = startApp(MailLibrary.ANGUS_MAIL_2_0_3, config, List.of(STRIPPED), STRIPPED, RECIPIENT, 1, 1, "send");
        assertThat(last.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(last.toString())
                .isEqualTo("DONE accepted=1 failed=0");
        List<String> accepted = QueueBed.accepted(acceptedLog());
        QueueBed.awaitArrivals(TestDomains.STARTTLS_STRIP, accepted, 300, last);
        // Messages queued but killed before their send returned, and re-sends of delivered ones, come after.
        awaitEmptyQueue(last);
        Map<String, Integer> arrived = QueueBed.arrivals(TestDomains.STARTTLS_STRIP);
        Map<String, Integer> duplicates = QueueBed.duplicates(arrived);
        System.out.printf("crash test (seed %d): %d kills, %d accepted (%d while stripped), %d arrived, %d of them"
                + " not in the accepted log (killed before it was written), %d runs killed after the worker had re-sent"
                + " something, %d duplicate(s) %s%n", seed, KILLS_WHILE_QUEUEING + KILLS_WHILE_RETRYING, accepted.size(),
                acceptedWhileStripped, arrived.size(), arrived.size() - accepted.size(), retriedBeforeAKill,
                duplicates.size(), duplicates);

        assertThat(arrived.keySet()).as("every accepted message arrived (seed " + seed + ")").containsAll(accepted);
        assertThat(retriedBeforeAKill).as("runs killed while the worker re-sent (seed " + seed + ")").isPositive();
        assertThat(duplicates.values()).as("duplicates (seed " + seed + ")").allMatch(count -> count == 2);
        assertThat(duplicates.size()).as("duplicates: at most one per delivery thread and kill (seed " + seed + ")")
                .isLessThanOrEqualTo(DELIVERY_THREADS * KILLS_WHILE_RETRYING);
        assertThat(bed.mailboxes().messages(TestDomains.STARTTLS_STRIP)).allMatch(DeliveredMessage::arrivedOverTls);
        assertThat(mx.cleartextSensitiveCommands()).isEmpty();
        assertThat(last.finish()).isZero();
    }
}
