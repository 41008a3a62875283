package dev.mailtls.queue;

import static dev.mailtls.queue.QueueFixtures.body;
import static dev.mailtls.queue.QueueFixtures.destination;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueWorkerTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
    private final Logger log = Logger.getAnonymousLogger();
    private QueueFixtures.LogRecorder lines;
    private MessageQueue queue;

    @BeforeEach
    void open() throws IOException {
        log.setUseParentHandlers(false);
        lines = new QueueFixtures.LogRecorder(log);
        queue = MessageQueue.open(QueueSettings.builder(dir).maxAge(Duration.ofDays(5)).build(), clock);
    }

    @AfterEach
    void close() throws IOException {
        lines.close();
        queue.close();
    }

    /** A deliverer that answers with {@code outcome} and remembers what it was given. */
    private static final class ScriptedDeliverer implements Deliverer {
        final List<String> bodies = new ArrayList<>();
        final Function<QueuedMessage, DeliveryResult> outcome;

        ScriptedDeliverer(Function<QueuedMessage, DeliveryResult> outcome) {
            this.outcome = outcome;
        }

        @Override
        public DeliveryResult deliver(QueuedMessage message, InputStream body) throws IOException {
            bodies.add(new String(body.readAllBytes(), StandardCharsets.UTF_8));
            return outcome.apply(message);
        }
    }

    private QueueWorker worker(Deliverer deliverer) {
        return new QueueWorker(queue, deliverer, log, clock, Duration.ofSeconds(1));
    }

    private QueuedMessage enqueue(String text) throws IOException {
        return queue.enqueue(Envelope.of("app@example.com", "alice@example.org", "bob@example.org"), destination(),
                "454 4.7.4 TLS is required", body(text));
    }

    @Test
    void aDeliveredMessageIsRemovedCountedAndLoggedLikePostfix() throws Exception {
        QueuedMessage message = enqueue("hello");
        clock.advance(Duration.ofMillis(1500));
        ScriptedDeliverer deliverer = new ScriptedDeliverer(m -> DeliveryResult.delivered());
        QueueWorker worker = worker(deliverer);

        assertThat(worker.runOnce()).isEqualTo(1);

        assertThat(deliverer.bodies).containsExactly("hello");
        assertThat(queue.messages()).isEmpty();
        assertThat(worker.deliveries()).isEqualTo(1);
        assertThat(lines.lines()).containsExactly("mailtls: " + message.id()
                + ": to=<alice@example.org>,<bob@example.org>, relay=mx.example.org:25, delay=1.5, tries=1, status=sent");
    }

    @Test
    void aDeferralIsRecordedCountedAndLoggedWithTheReason() throws Exception {
        QueuedMessage message = enqueue("hello");
        clock.advance(Duration.ofSeconds(75));
        QueueWorker worker = worker(new ScriptedDeliverer(m -> DeliveryResult.deferred("454 4.7.4 TLS is required, but was"
                + " not offered by host mx.example.org[192.0.2.1]")));

        assertThat(worker.runOnce()).isEqualTo(1);
        assertThat(worker.runOnce()).as("not due again yet").isZero();

        assertThat(worker.deferrals()).isEqualTo(1);
        assertThat(queue.find(message.id()).get().nextAttempt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
        assertThat(lines.lines()).containsExactly("mailtls: " + message.id() + ": to=<alice@example.org>,<bob@example.org>,"
                + " relay=mx.example.org:25, delay=75, tries=1, status=deferred (454 4.7.4 TLS is required, but was not offered"
                + " by host mx.example.org[192.0.2.1])");
    }

    @Test
    void aPermanentFailureGoesToDead() throws Exception {
        QueuedMessage message = enqueue("hello");
        QueueWorker worker = worker(new ScriptedDeliverer(m -> DeliveryResult.failed("550 5.1.1 unknown user")));

        worker.runOnce();

        assertThat(queue.dead()).extracting(QueuedMessage::id).containsExactly(message.id());
        assertThat(worker.deadLetters()).isEqualTo(1);
        assertThat(lines.lines(Level.WARNING)).containsExactly("mailtls: " + message.id() + ": to=<alice@example.org>,"
                + "<bob@example.org>, relay=mx.example.org:25, delay=0, tries=1, status=bounced (550 5.1.1 unknown user),"
                + " message moved to dead/");
    }

    @Test
    void aMessageFailingPastMaxAgeIsMovedToDeadAndSaysSo() throws Exception {
        QueuedMessage message = enqueue("hello");
        clock.advance(Duration.ofDays(5).plusMinutes(3));
        QueueWorker worker = worker(new ScriptedDeliverer(m -> DeliveryResult.deferred("454 4.7.5 TLSA mismatch")));

        worker.runOnce();

        assertThat(queue.messages()).isEmpty();
        assertThat(queue.dead()).singleElement().satisfies(dead -> assertThat(dead.deadReason().get())
                .isEqualTo("expired: still undelivered after 5d (mailtls.queue.max-age); last attempt: 454 4.7.5 TLSA mismatch"));
        assertThat(worker.deadLetters()).isEqualTo(1);
        assertThat(worker.deferrals()).isZero();
        assertThat(lines.lines(Level.WARNING)).containsExactly("mailtls: " + message.id() + ": from=<app@example.com>,"
                + " to=<alice@example.org>,<bob@example.org>, status=expired, message moved to dead/ after 5d"
                + " (454 4.7.5 TLSA mismatch)");
    }

    @Test
    void aDelivererThatThrowsCountsAsADeferralAndTheWorkerGoesOn() throws Exception {
        QueuedMessage first = enqueue("one");
        clock.advance(Duration.ofMillis(1));
        QueuedMessage second = enqueue("two");
        QueueWorker worker = worker((message, body) -> {
            if (message.id().equals(first.id())) {
                throw new IllegalStateException("bug in the deliverer");
            }
            return DeliveryResult.delivered();
        });

        assertThat(worker.runOnce()).isEqualTo(2);

        assertThat(queue.find(first.id()).get().attempts()).extracting(Attempt::result)
                .containsExactly("deferred: internal error: java.lang.IllegalStateException: bug in the deliverer");
        assertThat(queue.find(second.id())).isEmpty();
        assertThat(worker.deliveries()).isEqualTo(1);
        assertThat(worker.deferrals()).isEqualTo(1);
    }

    @Test
    void aDelivererNotReadyLeavesTheMessageDueWithoutAnAttemptAndSaysSoOnce() throws Exception {
        QueuedMessage message = enqueue("hello");
        ScriptedDeliverer deliverer = new ScriptedDeliverer(m -> DeliveryResult.notReady("no credentials for app@mx.example.org:25"
                + " since the restart; waiting for the application to connect there"));
        QueueWorker worker = worker(deliverer);

        assertThat(worker.runOnce()).isZero();
        assertThat(worker.runOnce()).isZero();

        assertThat(deliverer.bodies).hasSize(2);
        QueuedMessage after = queue.find(message.id()).get();
        assertThat(after.attempts()).isEmpty();
        assertThat(after.nextAttempt()).isEqualTo(message.nextAttempt());
        assertThat(lines.lines(Level.INFO)).containsExactly("mailtls: " + message.id() + ": to=<alice@example.org>,"
                + "<bob@example.org>, relay=mx.example.org:25, status=waiting (no credentials for app@mx.example.org:25 since"
                + " the restart; waiting for the application to connect there)");
    }

    @Test
    void aMessageNeverReadyExpiresAtMaxAgeAllTheSame() throws Exception {
        enqueue("hello");
        clock.advance(Duration.ofDays(6));
        QueueWorker worker = worker(new ScriptedDeliverer(m -> DeliveryResult.notReady("no credentials")));

        worker.runOnce();

        assertThat(queue.dead()).singleElement().satisfies(dead -> {
            assertThat(dead.deadReason().get())
                    .isEqualTo("expired: not delivered within 5d (mailtls.queue.max-age); not attempted: no credentials");
            assertThat(dead.attempts()).as("no try is counted that never happened").isEmpty();
        });
        assertThat(lines.lines(Level.WARNING)).singleElement().asString()
                .contains("status=expired, message moved to dead/ after 5d (not attempted: no credentials)");
    }

    /** Puts a file where {@code tmp/} is, so that no metadata can be written: a full or read-only disk, for root. */
    private void breakTheDisk() throws IOException {
        Path tmp = dir.resolve("tmp");
        Files.delete(tmp);
        Files.write(tmp, new byte[0]);
    }

    private void repairTheDisk() throws IOException {
        Path tmp = dir.resolve("tmp");
        Files.delete(tmp);
        Files.createDirectory(tmp);
    }

    @Test
    void aDeferralThatCannotBeRecordedIsNotRetriedAtEveryPollButOnSchedule() throws Exception {
        QueuedMessage message = enqueue("hello");
        AtomicInteger attempts = new AtomicInteger();
        QueueWorker worker = worker((m, body) -> {
            if (attempts.incrementAndGet() == 1) {
                breakTheDisk();
            }
            return DeliveryResult.deferred("454 4.7.4 TLS is required");
        });

        assertThat(worker.runOnce()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(worker.runOnce()).as("the next poll leaves it alone").isZero();
        assertThat(queue.find(message.id()).get().attempts()).as("nothing could be written").isEmpty();
        assertThat(lines.lines(Level.SEVERE)).singleElement().asString().startsWith("mailtls: " + message.id()
                + ": cannot record its deferral in the queue in " + dir + " (").contains("free space or fix the permissions"
                + " there. This JVM attempts it again at " + clock.instant().minusSeconds(1).plus(Duration.ofMinutes(1)));

        repairTheDisk();
        clock.advance(Duration.ofMinutes(1));
        assertThat(worker.runOnce()).isEqualTo(1);
        assertThat(attempts).hasValue(2);
        assertThat(queue.find(message.id()).get().attempts()).hasSize(1);
    }

    @Test
    void aBounceThatCannotBeMovedToDeadIsNotSentAgainByThisJvm() throws Exception {
        QueuedMessage message = enqueue("hello");
        AtomicInteger attempts = new AtomicInteger();
        QueueWorker worker = worker((m, body) -> {
            attempts.incrementAndGet();
            breakTheDisk();
            return DeliveryResult.failed("550 5.1.1 unknown user");
        });

        assertThat(worker.runOnce()).isEqualTo(1);
        clock.advance(Duration.ofDays(1));
        assertThat(worker.runOnce()).isZero();

        assertThat(attempts).hasValue(1);
        assertThat(queue.messages()).extracting(QueuedMessage::id).containsExactly(message.id());
        assertThat(lines.lines(Level.SEVERE)).singleElement().asString()
                .contains("cannot record its move to dead/ in the queue in " + dir)
                .endsWith("This JVM will not attempt it again, but another JVM or a restart would: remove it with"
                        + " \"queue delete " + dir + " " + message.id() + "\"");
    }

    @Test
    void anInterruptDoesNotStopTheWorkerThread() throws Exception {
        BlockingQueue<String> delivered = new LinkedBlockingQueue<>();
        QueueWorker worker = new QueueWorker(queue, (message, body) -> {
            delivered.add(message.id());
            return DeliveryResult.delivered();
        }, log, clock, Duration.ofHours(1));
        worker.start();
        try {
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().equals("mailtls-queue")) {
                    thread.interrupt(); // as an application server's clean-up of "leaked" threads does
                }
            }
            String id = enqueue("after the interrupt").id();

            assertThat(delivered.poll(60, TimeUnit.SECONDS)).isEqualTo(id);
            assertThat(worker.isRunning()).isTrue();
        } finally {
            worker.close();
        }
    }

    @Test
    void theThreadDeliversWhatIsQueuedAndTheMBeanShowsItWhileRunning() throws Exception {
        BlockingQueue<String> delivered = new LinkedBlockingQueue<>();
        QueueWorker worker = new QueueWorker(queue, (message, body) -> {
            delivered.add(message.id());
            return DeliveryResult.delivered();
        }, log, clock, Duration.ofHours(1)); // only the enqueue's wake-up can make it look in time
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = QueueWorker.objectName(dir.toString());
        worker.start();
        try {
            assertThat(worker.isRunning()).isTrue();
            assertThat(server.isRegistered(name)).isTrue();
            assertThat(name.toString()).isEqualTo("dev.mailtls:type=Queue,directory=" + ObjectName.quote(dir.toString()));

            String first = enqueue("one").id();
            assertThat(delivered.poll(60, TimeUnit.SECONDS)).isEqualTo(first);
            String second = enqueue("two").id();
            assertThat(delivered.poll(60, TimeUnit.SECONDS)).isEqualTo(second);

            // One thread: the first outcome was recorded before the second attempt began.
            assertThat((Long) server.getAttribute(name, "Deliveries")).isGreaterThanOrEqualTo(1L);
            assertThat(server.getAttribute(name, "Directory")).isEqualTo(dir.toString());
            assertThat(server.getAttribute(name, "DeadLetters")).isEqualTo(0L);
        } finally {
            worker.close(); // waits for the attempt in progress
        }
        assertThat(worker.deliveries()).isEqualTo(2);
        assertThat(queue.messages()).isEmpty();
        assertThat(worker.isRunning()).isFalse();
        assertThat(server.isRegistered(name)).isFalse();
    }

    @Test
    void theMBeanReportsSizesAndAge() throws Exception {
        enqueue("12345");
        clock.advance(Duration.ofMinutes(10));
        enqueue("123");
        clock.advance(Duration.ofSeconds(30));
        QueueWorker worker = worker(new ScriptedDeliverer(m -> DeliveryResult.deferred("454")));
        QueueMXBean bean = new QueueMonitor(queue, worker);

        assertThat(bean.getQueueLength()).isEqualTo(2);
        assertThat(bean.getQueueBytes()).isEqualTo(8);
        assertThat(bean.getOldestAgeSeconds()).isEqualTo(630);
        assertThat(bean.getDeadMessages()).isZero();
        assertThat(bean.getCorruptEntries()).isZero();
        worker.runOnce();
        assertThat(bean.getDeferrals()).isEqualTo(2);
        assertThat(bean.retryAllNow()).isEqualTo(2);
    }

    @Test
    void severalDeliveryThreadsAttemptDifferentMessagesAtTheSameTime() throws Exception {
        for (int i = 0; i < 8; i++) {
            enqueue("message " + i);
            clock.advance(Duration.ofMillis(1));
        }
        CountDownLatch fourAtOnce = new CountDownLatch(4);
        Set<String> attempted = ConcurrentHashMap.newKeySet();
        AtomicInteger twice = new AtomicInteger();
        QueueWorker worker = QueueWorker.builder(queue, (message, body) -> {
            if (!attempted.add(message.id())) {
                twice.incrementAndGet();
            }
            fourAtOnce.countDown();
            // Four deliveries in progress together: impossible on fewer threads, so this would time out.
            return fourAtOnce.await(60, TimeUnit.SECONDS) ? DeliveryResult.delivered() : DeliveryResult.deferred("alone");
        }).log(log).clock(clock).threads(4).build();

        try {
            assertThat(worker.runOnce()).isEqualTo(8);
        } finally {
            worker.close();
        }

        assertThat(worker.deliveries()).isEqualTo(8);
        assertThat(attempted).hasSize(8);
        assertThat(twice).hasValue(0);
        assertThat(queue.messages()).isEmpty();
    }

    @Test
    void delaysAreWrittenAsPostfixDoes() {
        assertThat(QueueWorker.seconds(Duration.ofMillis(0))).isEqualTo("0");
        assertThat(QueueWorker.seconds(Duration.ofMillis(410))).isEqualTo("0.41");
        assertThat(QueueWorker.seconds(Duration.ofMillis(1500))).isEqualTo("1.5");
        assertThat(QueueWorker.seconds(Duration.ofMillis(9999))).isEqualTo("10");
        assertThat(QueueWorker.seconds(Duration.ofSeconds(3725, 900_000_000))).isEqualTo("3725");
    }
}
