package dev.mailtls.queue;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

/**
 * One queued message locked for delivery by this caller: no other thread or JVM can claim,
 * change or delete it until the claim ends. End it with exactly one of {@link #delivered()},
 * {@link #deferred(String, Instant)} or {@link #failed(String)}; {@link #close()} (always call it,
 * e.g. with try-with-resources) releases the lock, and alone it leaves the message as it was, still
 * due, with no attempt recorded. A crash of the JVM releases the lock as well.
 */
public final class Claim implements Closeable {
    private final MessageQueue queue;
    private final QueuedMessage message;
    private final MessageLocks.MessageLock lock;
    private boolean ended;
    private boolean movedToDead;

    Claim(MessageQueue queue, QueuedMessage message, MessageLocks.MessageLock lock) {
        this.queue = queue;
        this.message = message;
        this.lock = lock;
    }

    /** The message as it was when claimed. */
    public QueuedMessage message() {
        return message;
    }

    /** The message's exact bytes; the caller closes the stream. */
    public InputStream openBody() throws IOException {
        checkOpen();
        return queue.openBody(message);
    }

    /**
     * The server accepted the message (250 after DATA): it is removed from the queue. A crash after
     * the server's 250 and before this removal is on disk sends the message again after a restart
     * (at least once; the Message-ID is unchanged).
     */
    public void delivered() throws IOException {
        end(() -> queue.removeDelivered(message));
    }

    /**
     * A temporary failure at {@code now}: the attempt is recorded and the next one scheduled by the
     * retry schedule; a message older than {@code mailtls.queue.max-age} moves to {@code dead/}
     * instead ({@link #movedToDead()} then says so).
     */
    public void deferred(String reason, Instant now) throws IOException {
        end(() -> movedToDead = queue.recordDeferral(message, reason, now));
    }

    /** A permanent failure (e.g. a 5xx reply): the message moves to {@code dead/} with {@code reason}. */
    public void failed(String reason) throws IOException {
        end(() -> {
            queue.recordFailure(message, reason);
            movedToDead = true;
        });
    }

    /**
     * The message expired without an attempt (the deliverer was never ready, e.g. no credentials
     * since a restart): it moves to {@code dead/} with {@code reason}, and its attempts stay as
     * they were, so that {@code queue dead} does not count a try that never happened.
     */
    void expired(String reason) throws IOException {
        end(() -> {
            queue.recordExpiry(message, reason);
            movedToDead = true;
        });
    }

    /** Whether {@link #deferred} or {@link #failed} moved the message to {@code dead/}. */
    public boolean movedToDead() {
        return movedToDead;
    }

    /** Releases the lock; without a prior outcome the message stays as it was. */
    @Override
    public void close() throws IOException {
        ended = true;
        lock.close();
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("claim of " + message.id() + " has already ended");
        }
    }

    /** Ends the claim with {@code outcome}, written under the lock, which is released whatever happens. */
    private void end(Outcome outcome) throws IOException {
        checkOpen();
        ended = true;
        try {
            outcome.write();
        } finally {
            lock.close();
        }
    }

    /** Writing the outcome of a claim to the queue's files. */
    interface Outcome {
        void write() throws IOException;
    }
}
