package dev.mailtls.queue;

import static dev.mailtls.queue.QueueFixtures.body;
import static dev.mailtls.queue.QueueFixtures.destination;
import static dev.mailtls.queue.QueueFixtures.envelope;
import static dev.mailtls.queue.QueueFixtures.files;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The states a crash can leave between two steps of an operation, made by hand, and what the next
 * open makes of them: never a lost message that was accepted, never an orphan kept forever.
 */
class RecoveryTest {
    private static final String ORPHAN = "018F3398C1001C9DF3BC";

    @TempDir
    Path dir;

    private QueuedMessage enqueueAndClose() throws Exception {
        try (MessageQueue queue = MessageQueue.open(QueueSettings.builder(dir).build())) {
            return queue.enqueue(envelope(), destination(), "r", body("the message"));
        }
    }

    private MessageQueue reopen() throws Exception {
        return MessageQueue.open(QueueSettings.builder(dir).build());
    }

    @Test
    void leftoversOfAnEnqueueThatNeverCommittedAreRemoved() throws Exception {
        QueuedMessage kept = enqueueAndClose();
        Files.write(dir.resolve("tmp/" + ORPHAN + ".eml.tmp"), "half a mess".getBytes());
        Files.write(dir.resolve("tmp/" + ORPHAN + ".meta.tmp"), "format: 1\n".getBytes());
        Files.write(dir.resolve("active/" + ORPHAN + ".eml"), "renamed, but no metadata yet".getBytes());

        try (MessageQueue queue = reopen()) {
            assertThat(files(dir)).containsExactly("active/" + kept.id() + ".eml", "active/" + kept.id() + ".meta");
            assertThat(queue.messages()).extracting(QueuedMessage::id).containsExactly(kept.id());
        }
    }

    @Test
    void leftoversOfAWriterStillAtWorkInAnotherQueueAreKept() throws Exception {
        enqueueAndClose();
        try (MessageQueue writer = reopen()) {
            Files.write(dir.resolve("tmp/" + ORPHAN + ".eml.tmp"), "being written".getBytes());
            try (MessageLocks locks = MessageLocks.open(dir.resolve("queue.lock"));
                    MessageLocks.MessageLock writing = locks.tryLock(ORPHAN)) {
                assertThat(writing).isNotNull();
                try (MessageQueue other = reopen()) {
                    assertThat(dir.resolve("tmp/" + ORPHAN + ".eml.tmp")).exists();
                }
            }
        }
    }

    @Test
    void aMessageWhoseDeliveryRemovedOnlyTheMetadataLeavesNoOrphan() throws Exception {
        QueuedMessage message = enqueueAndClose();
        Files.delete(dir.resolve("active/" + message.id() + ".meta"));

        try (MessageQueue queue = reopen()) {
            assertThat(files(dir)).isEmpty();
        }
    }

    @Test
    void aMoveToDeadInterruptedAfterTheBytesMovedIsRolledBack() throws Exception {
        QueuedMessage message = enqueueAndClose();
        Files.move(dir.resolve("active/" + message.id() + ".eml"), dir.resolve("dead/" + message.id() + ".eml"));

        try (MessageQueue queue = reopen()) {
            assertThat(files(dir)).containsExactly("active/" + message.id() + ".eml", "active/" + message.id() + ".meta");
            try (Claim claim = queue.claimDue(Instant.now()).get()) {
                assertThat(QueueFixtures.text(claim)).isEqualTo("the message");
            }
        }
    }

    @Test
    void aMoveToDeadInterruptedAfterTheDeadMetadataIsCompleted() throws Exception {
        QueuedMessage message = enqueueAndClose();
        Files.move(dir.resolve("active/" + message.id() + ".eml"), dir.resolve("dead/" + message.id() + ".eml"));
        Files.write(dir.resolve("dead/" + message.id() + ".meta"),
                MetadataFormat.write(message.toBuilder().dead(Instant.now(), "550 no such user").build()));

        try (MessageQueue queue = reopen()) {
            assertThat(files(dir)).containsExactly("dead/" + message.id() + ".eml", "dead/" + message.id() + ".meta");
            assertThat(queue.dead()).extracting(dead -> dead.deadReason().get()).containsExactly("550 no such user");
            assertThat(queue.messages()).isEmpty();
        }
    }

    @Test
    void aRunningQueueFinishesAnInterruptedMoveToDeadInsteadOfDeliveringIt() throws Exception {
        try (MessageQueue queue = MessageQueue.open(QueueSettings.builder(dir).build())) {
            QueuedMessage message = queue.enqueue(envelope(), destination(), "r", body("the message"));
            // Another JVM died after writing the dead metadata, before removing the queued one.
            Files.write(dir.resolve("dead/" + message.id() + ".meta"),
                    MetadataFormat.write(message.toBuilder().dead(Instant.now(), "550 no such user").build()));

            assertThat(queue.claimDue(Instant.now())).isEmpty();

            assertThat(files(dir)).containsExactly("dead/" + message.id() + ".eml", "dead/" + message.id() + ".meta");
        }
    }

    @Test
    void strangersInTheQueueDirectoryAreLeftAlone() throws Exception {
        enqueueAndClose();
        Files.write(dir.resolve("active/README"), "operator's note".getBytes());
        Files.write(dir.resolve("tmp/other.tmp"), "x".getBytes());

        try (MessageQueue queue = reopen()) {
            assertThat(files(dir)).contains("active/README", "tmp/other.tmp");
            assertThat(queue.messages()).hasSize(1);
            assertThat(queue.corrupted()).isEmpty();
        }
    }
}
