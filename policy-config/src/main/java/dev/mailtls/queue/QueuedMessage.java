package dev.mailtls.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the queue knows about one message: its id, envelope, destination, why it was queued, when,
 * when it is next due, every attempt so far and its size in bytes; for a message in {@code dead/}
 * also when and why it was given up. A snapshot: the queue's files may have changed since.
 * Immutable; the store makes them (a public {@link #builder(String)} exists for tests of a
 * {@link Deliverer}).
 */
public final class QueuedMessage {
    private final String id;
    private final Envelope envelope;
    private final SmtpDestination destination;
    private final String reason;
    private final Instant queuedAt;
    private final Instant nextAttempt;
    private final List<Attempt> attempts;
    private final long size;
    private final Instant deadAt;
    private final String deadReason;

    private QueuedMessage(Builder builder) {
        this.id = builder.id;
        this.envelope = Objects.requireNonNull(builder.envelope, "envelope");
        this.destination = Objects.requireNonNull(builder.destination, "destination");
        this.reason = Objects.requireNonNull(builder.reason, "reason");
        this.queuedAt = Objects.requireNonNull(builder.queuedAt, "queuedAt");
        this.nextAttempt = builder.nextAttempt == null ? queuedAt : builder.nextAttempt;
        this.attempts = Collections.unmodifiableList(new ArrayList<>(builder.attempts));
        this.size = builder.size;
        this.deadAt = builder.deadAt;
        this.deadReason = builder.deadReason;
        if ((deadAt == null) != (deadReason == null)) {
            throw new IllegalArgumentException("a dead message needs both deadAt and deadReason");
        }
    }

    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** The queue id, e.g. {@code 018F2A3B4C5D9E8F7A6B}: 12 hex digits of the queue time in ms, 8 random. */
    public String id() {
        return id;
    }

    public Envelope envelope() {
        return envelope;
    }

    public SmtpDestination destination() {
        return destination;
    }

    /** Why the message was queued, e.g. the policy's refusal text. */
    public String reason() {
        return reason;
    }

    public Instant queuedAt() {
        return queuedAt;
    }

    /** When the message is due; a message with no attempt yet is due at once. */
    public Instant nextAttempt() {
        return nextAttempt;
    }

    /** Every recorded attempt, oldest first. */
    public List<Attempt> attempts() {
        return attempts;
    }

    /** The message's size in bytes, as stored. */
    public long size() {
        return size;
    }

    /** When the message was moved to {@code dead/}; empty for a queued one. */
    public Optional<Instant> deadAt() {
        return Optional.ofNullable(deadAt);
    }

    /** Why the message was moved to {@code dead/} (expired, or refused permanently); empty for a queued one. */
    public Optional<String> deadReason() {
        return Optional.ofNullable(deadReason);
    }

    public Builder toBuilder() {
        Builder builder = new Builder(id).envelope(envelope).destination(destination).reason(reason).queuedAt(queuedAt)
                .nextAttempt(nextAttempt).size(size);
        builder.attempts.addAll(attempts);
        if (deadAt != null) {
            builder.dead(deadAt, deadReason);
        }
        return builder;
    }

    @Override
    public String toString() {
        return id + " " + envelope + " relay=" + destination.relay() + " size=" + size + " attempts=" + attempts.size()
                + (deadReason == null ? " next=" + nextAttempt : " dead (" + deadReason + ")");
    }

    /** Builds a {@link QueuedMessage}. */
    public static final class Builder {
        private final String id;
        private Envelope envelope;
        private SmtpDestination destination;
        private String reason = "";
        private Instant queuedAt;
        private Instant nextAttempt;
        private final List<Attempt> attempts = new ArrayList<>();
        private long size;
        private Instant deadAt;
        private String deadReason;

        private Builder(String id) {
            if (!MessageId.isValid(id)) {
                throw new IllegalArgumentException("not a queue id: \"" + id + "\"");
            }
            this.id = id;
        }

        public Builder envelope(Envelope envelope) {
            this.envelope = envelope;
            return this;
        }

        public Builder destination(SmtpDestination destination) {
            this.destination = destination;
            return this;
        }

        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        public Builder queuedAt(Instant queuedAt) {
            this.queuedAt = queuedAt;
            return this;
        }

        public Builder nextAttempt(Instant nextAttempt) {
            this.nextAttempt = nextAttempt;
            return this;
        }

        public Builder addAttempt(Attempt attempt) {
            attempts.add(Objects.requireNonNull(attempt, "attempt"));
            return this;
        }

        public Builder size(long size) {
            if (size < 0) {
                throw new IllegalArgumentException("negative size " + size);
            }
            this.size = size;
            return this;
        }

        public Builder dead(Instant at, String reason) {
            this.deadAt = Objects.requireNonNull(at, "at");
            this.deadReason = Objects.requireNonNull(reason, "reason");
            return this;
        }

        public QueuedMessage build() {
            return new QueuedMessage(this);
        }
    }
}
