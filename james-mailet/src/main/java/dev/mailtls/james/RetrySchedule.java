package dev.mailtls.james;

import dev.mailtls.config.DurationSyntax;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * When a deferred mail is tried again and when it is given up: a list of delays (the last one
 * repeats), bounded both by a number of attempts and by an age. Both bounds are needed because
 * some James mail queues (RabbitMQ, the distributed server) ignore delays: there only the attempt
 * count stops a mail from circling forever. Immutable.
 */
final class RetrySchedule {
    private final List<Long> delaysMillis;
    private final int maxAttempts;
    private final long maxAgeMillis;

    RetrySchedule(List<Long> delaysMillis, int maxAttempts, long maxAgeMillis) {
        if (delaysMillis.isEmpty()) {
            throw new IllegalArgumentException("at least one retry delay is needed");
        }
        this.delaysMillis = Collections.unmodifiableList(new ArrayList<>(delaysMillis));
        this.maxAttempts = maxAttempts;
        this.maxAgeMillis = maxAgeMillis;
    }

    /**
     * The delay after failed attempt number {@code attempt} (1 for the first): the attempt's own
     * entry of the list, or the last entry once the list is used up.
     */
    long delayAfter(int attempt) {
        return delaysMillis.get(Math.min(attempt, delaysMillis.size()) - 1);
    }

    /**
     * Whether a mail whose attempt number {@code attempt} just failed, and whose first attempt was
     * {@code ageMillis} ago, is given up: no attempts left, or the next one would come after the
     * maximum age.
     */
    boolean exhausted(int attempt, long ageMillis) {
        return attempt >= maxAttempts || ageMillis + delayAfter(attempt) > maxAgeMillis;
    }

    /** {@code retryDelays=1m,5m maxAttempts=10 maxAge=5d}, as the parameters are written. */
    @Override
    public String toString() {
        StringBuilder delays = new StringBuilder();
        for (long delay : delaysMillis) {
            delays.append(delays.length() == 0 ? "" : ",").append(DurationSyntax.format(delay));
        }
        return "retryDelays=" + delays + " maxAttempts=" + maxAttempts + " maxAge=" + DurationSyntax.format(maxAgeMillis);
    }
}
