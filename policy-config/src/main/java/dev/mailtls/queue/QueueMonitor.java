package dev.mailtls.queue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/** The {@link QueueMXBean} of one worker: sizes read from the queue, counters from the worker. */
final class QueueMonitor implements QueueMXBean {
    private final MessageQueue queue;
    private final QueueWorker worker;

    QueueMonitor(MessageQueue queue, QueueWorker worker) {
        this.queue = queue;
        this.worker = worker;
    }

    @Override
    public String getDirectory() {
        return queue.directory().toString();
    }

    @Override
    public int getQueueLength() {
        return stats().messages();
    }

    @Override
    public long getQueueBytes() {
        return stats().bytes();
    }

    @Override
    public long getOldestAgeSeconds() {
        return stats().oldestAge().orElse(Duration.ZERO).getSeconds();
    }

    @Override
    public long getDeliveries() {
        return worker.deliveries();
    }

    @Override
    public long getDeferrals() {
        return worker.deferrals();
    }

    @Override
    public long getDeadLetters() {
        return worker.deadLetters();
    }

    @Override
    public int getDeadMessages() {
        return stats().dead();
    }

    @Override
    public int getCorruptEntries() {
        return stats().corrupt();
    }

    @Override
    public int retryAllNow() {
        try {
            return queue.retryAllNow();
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }

    private QueueStats stats() {
        try {
            return queue.stats();
        } catch (IOException failed) {
            // JMX reports a runtime exception to the console as the attribute's error.
            throw new UncheckedIOException(failed);
        }
    }
}
