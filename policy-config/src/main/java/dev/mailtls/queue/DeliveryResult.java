package dev.mailtls.queue;

import java.util.Objects;

/**
 * What a {@link Deliverer} made of one attempt: delivered (the server said 250 to the end of DATA),
 * deferred (a temporary failure: policy refusal, 4xx, network; retried per schedule), failed (a
 * permanent refusal such as a 5xx for every recipient: moved to {@code dead/}), or not ready (this
 * JVM cannot try yet, e.g. no mail library loaded or no credentials since a restart: the message
 * stays due and no attempt is counted). Immutable.
 */
public final class DeliveryResult {
    /** The kinds of outcome. */
    public enum Outcome {
        DELIVERED, DEFERRED, FAILED, NOT_READY
    }

    private static final DeliveryResult DELIVERED = new DeliveryResult(Outcome.DELIVERED, "");

    private final Outcome outcome;
    private final String reason;

    private DeliveryResult(Outcome outcome, String reason) {
        this.outcome = outcome;
        this.reason = reason;
    }

    public static DeliveryResult delivered() {
        return DELIVERED;
    }

    /** A temporary failure; {@code reason} is logged and recorded, e.g. the server's reply. */
    public static DeliveryResult deferred(String reason) {
        return new DeliveryResult(Outcome.DEFERRED, Objects.requireNonNull(reason, "reason"));
    }

    /** A permanent failure; the message moves to {@code dead/} with {@code reason}. */
    public static DeliveryResult failed(String reason) {
        return new DeliveryResult(Outcome.FAILED, Objects.requireNonNull(reason, "reason"));
    }

    /** Not attempted: the message stays due, no attempt is recorded. */
    public static DeliveryResult notReady(String why) {
        return new DeliveryResult(Outcome.NOT_READY, Objects.requireNonNull(why, "why"));
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The reason given; empty for {@link #delivered()}. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return outcome.name().toLowerCase(java.util.Locale.ROOT) + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
