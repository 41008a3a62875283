package dev.mailtls.queue;

import dev.mailtls.config.DurationSyntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * When a deferred message is tried again: the delay after the first failed attempt, after the
 * second, and so on; the last interval repeats. Postfix grows its delay from
 * {@code minimal_backoff_time} to {@code maximal_backoff_time} the same way. Immutable.
 */
public final class RetrySchedule {
    /** {@code 1m,5m,15m,1h,4h}: quick retries for a blip, hourly-ish for a lasting problem. */
    public static final RetrySchedule DEFAULT = of(Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(4));

    private final List<Duration> intervals;

    private RetrySchedule(List<Duration> intervals) {
        this.intervals = intervals;
    }

    /** A schedule of one or more positive intervals. */
    public static RetrySchedule of(Duration... intervals) {
        return of(Arrays.asList(intervals));
    }

    /** A schedule of one or more positive intervals. */
    public static RetrySchedule of(List<Duration> intervals) {
        if (intervals.isEmpty()) {
            throw new IllegalArgumentException("a retry schedule needs at least one interval");
        }
        for (Duration interval : intervals) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("retry intervals must be positive, not " + interval);
            }
        }
        return new RetrySchedule(Collections.unmodifiableList(new ArrayList<>(intervals)));
    }

    /** The delay before the next attempt after {@code failedAttempts} failures (1 → the first interval). */
    public Duration delayAfter(int failedAttempts) {
        int index = Math.max(0, Math.min(failedAttempts, intervals.size()) - 1);
        return intervals.get(index);
    }

    public List<Duration> intervals() {
        return intervals;
    }

    /** In configuration syntax, e.g. {@code 1m,5m,15m,1h,4h}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Duration interval : intervals) {
            text.append(text.length() == 0 ? "" : ",").append(DurationSyntax.format(interval.toMillis()));
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RetrySchedule && ((RetrySchedule) other).intervals.equals(intervals);
    }

    @Override
    public int hashCode() {
        return intervals.hashCode();
    }
}
