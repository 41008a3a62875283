package dev.mailtls.queue;

import java.time.Instant;
import java.util.Objects;

/** One recorded delivery attempt of a queued message: when, and what came of it. Immutable. */
public final class Attempt {
    private final Instant at;
    private final String result;

    public Attempt(Instant at, String result) {
        this.at = Objects.requireNonNull(at, "at");
        this.result = Objects.requireNonNull(result, "result");
    }

    public Instant at() {
        return at;
    }

    /** What happened, e.g. {@code deferred: 454 4.7.4 TLS is required, but was not offered by host ...}. */
    public String result() {
        return result;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Attempt && ((Attempt) other).at.equals(at) && ((Attempt) other).result.equals(result);
    }

    @Override
    public int hashCode() {
        return at.hashCode() * 31 + result.hashCode();
    }

    @Override
    public String toString() {
        return at + " " + result;
    }
}
