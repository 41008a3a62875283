package dev.mailtls.queue;

import static dev.mailtls.queue.QueueFixtures.body;
import static dev.mailtls.queue.QueueFixtures.destination;
import static dev.mailtls.queue.QueueFixtures.envelope;
import static dev.mailtls.queue.QueueFixtures.files;
import static dev.mailtls.queue.QueueFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailtls.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageQueueTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
    private final List<MessageQueue> opened = new ArrayList<>();

    @AfterEach
    void closeQueues() throws IOException {
        for (MessageQueue queue : opened) {
            queue.close();
        }
    }

    private MessageQueue open(QueueSettings.Builder settings) throws IOException {
        MessageQueue queue = MessageQueue.open(settings.build(), clock);
        opened.add(queue);
        return queue;
    }

    private MessageQueue open() throws IOException {
        return open(QueueSettings.builder(dir.resolve("queue")));
    }

    private Path queueDir() {
        return dir.resolve("queue");
    }

    @Test
    void anEnqueuedMessageIsDueAtOnceAndGoneWhenDelivered() throws Exception {
        MessageQueue queue = open();
        QueuedMessage queued = queue.enqueue(envelope(), destination(), "454 4.7.4 TLS is required",
                body("Subject: hi\r\n\r\nhello\r\n"));

        assertThat(queued.id()).matches("[0-9A-F]{20}").startsWith(String.format("%012X", clock.instant().toEpochMilli()));
        assertThat(queued.size()).isEqualTo(22);
        assertThat(files(queueDir())).containsExactly("active/" + queued.id() + ".eml", "active/" + queued.id() + ".meta");
        assertThat(queue.messages()).extracting(QueuedMessage::id).containsExactly(queued.id());
        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            assertThat(claim.message().reason()).isEqualTo("454 4.7.4 TLS is required");
            assertThat(claim.message().destination()).isEqualTo(destination());
            assertThat(text(claim)).isEqualTo("Subject: hi\r\n\r\nhello\r\n");
            claim.delivered();
        }

        assertThat(queue.messages()).isEmpty();
        assertThat(files(queueDir())).isEmpty();
        assertThat(queue.find(queued.id())).isEmpty();
    }

    @Test
    void aDeferralFollowsTheRetryScheduleWhoseLastIntervalRepeats() throws Exception {
        MessageQueue queue = open();
        String id = queue.enqueue(envelope(), destination(), "r", body("x")).id();
        List<Duration> delays = new ArrayList<>();

        for (int attempt = 1; attempt <= 7; attempt++) {
            Instant now = clock.instant();
            try (Claim claim = queue.claimDue(now).get()) {
                claim.deferred("454 4.7.4 attempt " + attempt, now);
                assertThat(claim.movedToDead()).isFalse();
            }
            QueuedMessage after = queue.find(id).get();
            delays.add(Duration.between(now, after.nextAttempt()));
            assertThat(queue.claimDue(now)).as("not due before its next attempt").isEmpty();
            clock.advance(Duration.between(now, after.nextAttempt()));
        }

        assertThat(delays).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
                Duration.ofHours(1), Duration.ofHours(4), Duration.ofHours(4), Duration.ofHours(4));
        assertThat(queue.find(id).get().attempts()).hasSize(7).last()
                .satisfies(attempt -> assertThat(attempt.result()).isEqualTo("deferred: 454 4.7.4 attempt 7"));
    }

    @Test
    void aMessagePastMaxAgeMovesToDeadWithAReadableReason() throws Exception {
        MessageQueue queue = open(QueueSettings.builder(queueDir()).maxAge(Duration.ofDays(5)));
        String id = queue.enqueue(envelope(), destination(), "r", body("bytes")).id();
        clock.advance(Duration.ofDays(5));

        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            claim.deferred("454 4.7.5 TLSA mismatch", clock.instant());
            assertThat(claim.movedToDead()).isTrue();
        }

        assertThat(queue.messages()).isEmpty();
        assertThat(queue.dead()).singleElement().satisfies(dead -> {
            assertThat(dead.id()).isEqualTo(id);
            assertThat(dead.deadAt()).contains(clock.instant());
            assertThat(dead.deadReason()).contains("expired: still undelivered after 5d (mailtls.queue.max-age);"
                    + " last attempt: 454 4.7.5 TLSA mismatch");
        });
        assertThat(files(queueDir())).containsExactly("dead/" + id + ".eml", "dead/" + id + ".meta");
        assertThat(Files.readString(queueDir().resolve("dead/" + id + ".meta")))
                .contains("\ndead-reason: expired: still undelivered after 5d").contains("\nto: alice@example.org\n");
        assertThat(Files.readString(queueDir().resolve("dead/" + id + ".eml"))).isEqualTo("bytes");
        assertThat(queue.stats().dead()).isEqualTo(1);
        assertThat(queue.find(id)).get().satisfies(found -> assertThat(found.deadReason()).isPresent());
    }

    @Test
    void aDeferralJustBeforeMaxAgeIsRetried() throws Exception {
        MessageQueue queue = open(QueueSettings.builder(queueDir()).maxAge(Duration.ofHours(1)));
        queue.enqueue(envelope(), destination(), "r", body("x"));
        clock.advance(Duration.ofMinutes(59));

        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            claim.deferred("454", clock.instant());
            assertThat(claim.movedToDead()).isFalse();
        }
        assertThat(queue.messages()).hasSize(1);
    }

    @Test
    void aPermanentFailureMovesToDeadWithTheServersReply() throws Exception {
        MessageQueue queue = open();
        String id = queue.enqueue(envelope(), destination(), "r", body("x")).id();

        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            claim.failed("550 5.1.1 <alice@example.org>: Recipient address rejected");
        }

        assertThat(queue.dead()).singleElement().satisfies(dead -> {
            assertThat(dead.deadReason()).contains("550 5.1.1 <alice@example.org>: Recipient address rejected");
            assertThat(dead.attempts()).extracting(Attempt::result)
                    .containsExactly("failed: 550 5.1.1 <alice@example.org>: Recipient address rejected");
        });
        assertThat(queue.find(id).get().deadAt()).isPresent();
    }

    @Test
    void closingAClaimWithoutAnOutcomeChangesNothing() throws Exception {
        MessageQueue queue = open();
        QueuedMessage queued = queue.enqueue(envelope(), destination(), "r", body("x"));

        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            assertThat(queue.claimDue(clock.instant())).as("claimed: not offered twice").isEmpty();
            assertThat(queue.isClaimed(queued.id())).isTrue();
        }

        assertThat(queue.isClaimed(queued.id())).isFalse();
        QueuedMessage again = queue.claimDue(clock.instant()).get().message();
        assertThat(again.attempts()).isEmpty();
        assertThat(again.nextAttempt()).isEqualTo(queued.nextAttempt());
    }

    @Test
    void anEndedClaimRefusesASecondOutcome() throws Exception {
        MessageQueue queue = open();
        queue.enqueue(envelope(), destination(), "r", body("x"));
        Claim claim = queue.claimDue(clock.instant()).get();
        claim.deferred("454", clock.instant());

        assertThatThrownBy(claim::delivered).isInstanceOf(IllegalStateException.class).hasMessageContaining("already ended");
        claim.close();
    }

    @Test
    void theOldestDueMessageComesFirst() throws Exception {
        MessageQueue queue = open();
        String first = queue.enqueue(envelope(), destination(), "r", body("1")).id();
        clock.advance(Duration.ofMillis(1));
        String second = queue.enqueue(envelope(), destination(), "r", body("2")).id();
        clock.advance(Duration.ofMillis(1));
        String third = queue.enqueue(envelope(), destination(), "r", body("3")).id();

        assertThat(queue.messages()).extracting(QueuedMessage::id).containsExactly(first, second, third);
        try (Claim a = queue.claimDue(clock.instant()).get(); Claim b = queue.claimDue(clock.instant()).get()) {
            assertThat(a.message().id()).isEqualTo(first);
            assertThat(b.message().id()).isEqualTo(second);
        }
    }

    @Test
    void aFullQueueByCountRefusesWithTheLimitAndTheKeyAndKeepsNothing() throws Exception {
        MessageQueue queue = open(QueueSettings.builder(queueDir()).maxMessages(2));
        queue.enqueue(envelope(), destination(), "r", body("1"));
        queue.enqueue(envelope(), destination(), "r", body("2"));

        assertThatThrownBy(() -> queue.enqueue(envelope(), destination(), "r", body("3")))
                .isInstanceOf(QueueFullException.class)
                .hasMessage("mailtls.queue.max-size: the queue in " + queueDir() + " is full: it holds 2 messages, the most"
                        + " allowed (mailtls.queue.max-size = 1GB, 2 messages); the message was not queued");
        assertThat(queue.messages()).hasSize(2);
        assertThat(files(queueDir())).hasSize(4).noneMatch(name -> name.startsWith("tmp/"));
    }

    @Test
    void aFullQueueByBytesRefusesWithTheLimitAndTheKey() throws Exception {
        MessageQueue queue = open(QueueSettings.builder(queueDir()).maxBytes(1024));
        queue.enqueue(envelope(), destination(), "r", body(repeat('a', 1000)));

        assertThatThrownBy(() -> queue.enqueue(envelope(), destination(), "r", body(repeat('b', 100))))
                .isInstanceOf(QueueFullException.class)
                .hasMessageContaining("mailtls.queue.max-size: the queue in " + queueDir() + " is full: it holds 1000B,"
                        + " and this message's 100B would exceed the byte limit (mailtls.queue.max-size = 1KB)");
        queue.enqueue(envelope(), destination(), "r", body(repeat('c', 24)));
        assertThat(queue.stats().bytes()).isEqualTo(1024);
    }

    @Test
    void aBodyWriterThatFailsLeavesNothingBehind() throws Exception {
        MessageQueue queue = open();

        assertThatThrownBy(() -> queue.enqueue(envelope(), destination(), "r", out -> {
            out.write("partial".getBytes(StandardCharsets.UTF_8));
            throw new IllegalStateException("folder closed");
        })).isInstanceOf(QueueException.class).hasMessageContaining("writing its bytes failed")
                .hasMessageContaining("folder closed");

        assertThat(files(queueDir())).isEmpty();
    }

    @Test
    void aCorruptEntryIsSkippedLoggedOnceAndListedWhileTheOthersAreDelivered() throws Exception {
        MessageQueue queue = open();
        String good = queue.enqueue(envelope(), destination(), "r", body("good")).id();
        clock.advance(Duration.ofMillis(1));
        String broken = queue.enqueue(envelope(), destination(), "r", body("broken")).id();
        clock.advance(Duration.ofMillis(1));
        String truncated = queue.enqueue(envelope(), destination(), "r", body("truncated")).id();
        Files.write(queueDir().resolve("active/" + broken + ".meta"), "garbage\n".getBytes(StandardCharsets.UTF_8));
        Files.write(queueDir().resolve("active/" + truncated + ".eml"), "trunc".getBytes(StandardCharsets.UTF_8));

        try (QueueFixtures.LogRecorder log = QueueFixtures.LogRecorder.queueLog()) {
            MessageQueue reader = open(); // as after a restart, or in another JVM: nothing known beforehand
            assertThat(reader.messages()).extracting(QueuedMessage::id).containsExactly(good);
            assertThat(reader.messages()).hasSize(1);
            assertThat(reader.corrupted()).extracting(CorruptEntry::id).containsExactly(broken, truncated);
            assertThat(reader.corrupted().get(0).problem()).isEqualTo("unreadable: line 1: not \"field: value\"");
            assertThat(reader.corrupted().get(1).problem()).isEqualTo("holds 5 bytes, but " + truncated
                    + ".meta says 9: truncated or changed");
            assertThat(log.lines(Level.SEVERE)).hasSize(2).anySatisfy(line -> assertThat(line)
                    .startsWith("mailtls: " + broken + ": corrupt queue entry skipped: " + queueDir().resolve("active/" + broken + ".meta"))
                    .endsWith("remove it with \"queue delete " + queueDir() + " " + broken + "\""));
        }
        // The instance that queued them checks again under the lock before it hands a message out.
        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            assertThat(claim.message().id()).isEqualTo(good);
            claim.delivered();
        }
        assertThat(queue.claimDue(clock.instant())).isEmpty();
        assertThat(queue.corrupted()).extracting(CorruptEntry::id).containsExactly(broken, truncated);
        assertThat(queue.stats().corrupt()).isEqualTo(2);
        assertThat(queue.delete(broken)).isTrue();
        assertThat(queue.corrupted()).extracting(CorruptEntry::id).containsExactly(truncated);
    }

    @Test
    void retryNowMakesAWaitingMessageDue() throws Exception {
        MessageQueue queue = open();
        String id = queue.enqueue(envelope(), destination(), "r", body("x")).id();
        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            claim.deferred("454", clock.instant());
        }
        clock.advance(Duration.ofSeconds(10));
        assertThat(queue.claimDue(clock.instant())).isEmpty();

        assertThat(queue.retryNow(id)).isTrue();

        assertThat(queue.find(id).get().nextAttempt()).isEqualTo(clock.instant());
        assertThat(queue.claimDue(clock.instant())).isPresent().get().satisfies(claim -> claim.close());
        assertThat(queue.retryNow("0000000000000000000A")).isFalse();
        assertThat(queue.retryNow("../../etc/passwd")).isFalse();
    }

    @Test
    void retryAllNowCountsTheMessagesThatWereWaiting() throws Exception {
        MessageQueue queue = open();
        for (int i = 0; i < 3; i++) {
            queue.enqueue(envelope(), destination(), "r", body("x" + i));
        }
        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            claim.deferred("454", clock.instant());
        }
        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            claim.deferred("454", clock.instant());
        }

        assertThat(queue.retryAllNow()).isEqualTo(2);
        assertThat(queue.messages()).allSatisfy(message -> assertThat(message.nextAttempt()).isEqualTo(clock.instant()));
    }

    @Test
    void deleteRemovesQueuedAndDeadMessagesButNotOneBeingDelivered() throws Exception {
        MessageQueue queue = open();
        String queued = queue.enqueue(envelope(), destination(), "r", body("x")).id();
        clock.advance(Duration.ofMillis(1));
        String dead = queue.enqueue(envelope(), destination(), "r", body("y")).id();
        try (Claim claim = queue.claim(dead, clock.instant(), m -> true).get()) {
            claim.failed("550");
        }

        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            assertThatThrownBy(() -> queue.delete(queued)).isInstanceOf(QueueException.class)
                    .hasMessage("message " + queued + " is being delivered or changed right now; try again when the attempt is over");
        }
        assertThat(queue.delete(queued)).isTrue();
        assertThat(queue.delete(dead)).isTrue();
        assertThat(queue.delete(dead)).isFalse();
        assertThat(files(queueDir())).isEmpty();
    }

    @Test
    void statsCountMessagesBytesAgeAndDead() throws Exception {
        MessageQueue queue = open();
        assertThat(queue.stats().oldestAge()).isEmpty();
        queue.enqueue(envelope(), destination(), "r", body("12345"));
        clock.advance(Duration.ofMinutes(2));
        String dead = queue.enqueue(envelope(), destination(), "r", body("123")).id();
        queue.enqueue(envelope(), destination(), "r", body("1234567"));
        try (Claim claim = queue.claim(dead, clock.instant(), m -> true).get()) {
            claim.failed("550");
        }
        clock.advance(Duration.ofMinutes(1));

        QueueStats stats = queue.stats();

        assertThat(stats.messages()).isEqualTo(2);
        assertThat(stats.bytes()).isEqualTo(12);
        assertThat(stats.oldestAge()).contains(Duration.ofMinutes(3));
        assertThat(stats.dead()).isEqualTo(1);
        assertThat(stats.corrupt()).isZero();
    }

    @Test
    void reopeningFindsEveryMessageAsItWasLeft() throws Exception {
        MessageQueue first = open();
        String id = first.enqueue(Envelope.of("", "a@example.org", "b@example.org"), destination(), "r", body("x")).id();
        try (Claim claim = first.claimDue(clock.instant()).get()) {
            claim.deferred("454 4.7.4", clock.instant());
        }
        first.close();
        opened.remove(first);

        MessageQueue second = open();

        QueuedMessage message = second.find(id).get();
        assertThat(message.envelope().recipients()).containsExactly("a@example.org", "b@example.org");
        assertThat(message.attempts()).extracting(Attempt::result).containsExactly("deferred: 454 4.7.4");
    }

    @Test
    void aClosedQueueRefusesAnEnqueueWithAQueueExceptionTheCallerTurnsIntoATemporaryFailure() throws Exception {
        MessageQueue queue = open();
        queue.close();

        assertThatThrownBy(() -> queue.enqueue(envelope(), destination(), "r", body("x"))).isInstanceOf(QueueException.class)
                .hasMessage("the queue in " + queueDir() + " is closed (the agent is stopping, or was attached again);"
                        + " nothing was queued or changed");
        assertThatThrownBy(queue::messages).isInstanceOf(QueueException.class).hasMessageContaining("is closed");
        assertThat(files(queueDir())).isEmpty();
    }

    @Test
    void closingTheQueueKeepsTheLockOfAClaimInProgressUntilTheClaimEnds() throws Exception {
        MessageQueue first = open();
        String id = first.enqueue(envelope(), destination(), "r", body("x")).id();
        Claim claim = first.claimDue(clock.instant()).get();
        first.close(); // e.g. the agent stopping while a delivery is still under way

        MessageQueue second = open();
        assertThat(second.isClaimed(id)).as("still held by the claim of the closed queue").isTrue();
        assertThat(second.claimDue(clock.instant())).isEmpty();
        claim.deferred("454 4.7.4", clock.instant());
        claim.close();

        assertThat(second.isClaimed(id)).isFalse();
        assertThat(second.find(id).get().attempts()).extracting(Attempt::result).containsExactly("deferred: 454 4.7.4");
    }

    @Test
    void anEnqueueFromAThreadWithAPendingInterruptIsStoredAndTheInterruptKept() throws Exception {
        MessageQueue queue = open();

        Thread.currentThread().interrupt(); // a stale interrupt, e.g. of a cancelled task in the application's pool
        QueuedMessage queued;
        try {
            queued = queue.enqueue(envelope(), destination(), "r", body("hello"));
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt is the application's, not ours to swallow").isTrue();
        }

        assertThat(queue.messages()).extracting(QueuedMessage::id).containsExactly(queued.id());
        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            assertThat(text(claim)).isEqualTo("hello");
        }
    }

    @Test
    void aDiskFailureAfterTheBytesAreWrittenLeavesNothingBehindAndNamesTheDirectory() throws Exception {
        MessageQueue queue = open();
        // No free space or no write access can be simulated for root; a file where tmp/ should be
        // fails the metadata write after the message bytes are on disk, the same way.
        Path tmp = queueDir().resolve("tmp");
        Files.delete(tmp);
        Files.write(tmp, new byte[0]);

        assertThatThrownBy(() -> queue.enqueue(envelope(), destination(), "r", body("the whole message")))
                .isInstanceOf(QueueException.class).isNotInstanceOf(QueueFullException.class)
                .hasMessageStartingWith("cannot write the message to the queue in " + queueDir() + " (")
                .hasMessageEndingWith("; it was not queued. Free space there, or give this process write access to it");

        assertThat(files(queueDir())).containsExactly("tmp");
        assertThat(queue.messages()).isEmpty();
    }

    @Test
    void anEntryThatCannotBeReadIsCorruptAndDoesNotStopTheOthers() throws Exception {
        MessageQueue queue = open();
        String good = queue.enqueue(envelope(), destination(), "r", body("good")).id();
        clock.advance(Duration.ofMillis(1));
        String unreadable = queue.enqueue(envelope(), destination(), "r", body("unreadable")).id();
        Path meta = queueDir().resolve("active/" + unreadable + ".meta");
        Files.delete(meta);
        Files.createDirectory(meta); // reading it fails with an I/O error, as a bad block or a wrong owner would
        Files.write(meta.resolve("inside"), new byte[1]);

        try (QueueFixtures.LogRecorder log = QueueFixtures.LogRecorder.queueLog()) {
            assertThat(queue.messages()).extracting(QueuedMessage::id).containsExactly(good);
            assertThat(queue.corrupted()).singleElement().satisfies(corrupt -> {
                assertThat(corrupt.id()).isEqualTo(unreadable);
                assertThat(corrupt.problem()).startsWith("cannot be read (");
            });
            assertThat(log.lines(Level.SEVERE)).singleElement().asString()
                    .startsWith("mailtls: " + unreadable + ": corrupt queue entry skipped: " + meta + ": cannot be read (");
        }
        try (Claim claim = queue.claimDue(clock.instant()).get()) {
            assertThat(claim.message().id()).isEqualTo(good);
        }
        assertThat(queue.stats().corrupt()).isEqualTo(1);
    }

    private static String repeat(char c, int count) {
        char[] chars = new char[count];
        java.util.Arrays.fill(chars, c);
        return new String(chars);
    }
}
