package dev.mailtls.queue;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of a queue's size: queued messages and their bytes, the age of the oldest, the
 * number of messages in {@code dead/} and of corrupted entries that are skipped. Immutable.
 */
public final class QueueStats {
    private final int messages;
    private final long bytes;
    private final Duration oldestAge;
    private final int dead;
    private final int corrupt;

    QueueStats(int messages, long bytes, Duration oldestAge, int dead, int corrupt) {
        this.messages = messages;
        this.bytes = bytes;
        this.oldestAge = oldestAge;
        this.dead = dead;
        this.corrupt = corrupt;
    }

    /** Queued (not dead) messages. */
    public int messages() {
        return messages;
    }

    /** Bytes of the queued messages. */
    public long bytes() {
        return bytes;
    }

    /** How long the oldest queued message has waited; empty when the queue is empty. */
    public Optional<Duration> oldestAge() {
        return Optional.ofNullable(oldestAge);
    }

    /** Messages in {@code dead/}. */
    public int dead() {
        return dead;
    }

    /** Corrupted entries in the queue, skipped by delivery until an operator deletes them. */
    public int corrupt() {
        return corrupt;
    }

    @Override
    public String toString() {
        return "QueueStats{messages=" + messages + ", bytes=" + bytes + ", oldestAge=" + oldestAge + ", dead=" + dead
                + ", corrupt=" + corrupt + "}";
    }
}
