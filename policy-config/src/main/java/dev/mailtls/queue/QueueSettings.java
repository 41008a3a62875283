package dev.mailtls.queue;

import dev.mailtls.config.DurationSyntax;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the durable queue lives and how it behaves: the directory ({@code mailtls.queue.dir}),
 * the retry schedule ({@code mailtls.queue.retry}), how long a message may wait before it is
 * moved to {@code dead/} ({@code mailtls.queue.max-age}) and how much the queue may hold
 * ({@code mailtls.queue.max-size}: bytes, messages, or both; 0 means unlimited). Immutable; see
 * {@link #builder(Path)}.
 */
public final class QueueSettings {
    /** Five days, Postfix's {@code maximal_queue_lifetime}. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(5);
    /** One gibibyte of queued message bytes. */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    /** No limit on the number of messages (the byte limit applies). */
    public static final int DEFAULT_MAX_MESSAGES = 0;

    private final Path directory;
    private final RetrySchedule retry;
    private final Duration maxAge;
    private final long maxBytes;
    private final int maxMessages;

    private QueueSettings(Builder builder) {
        this.directory = builder.directory;
        this.retry = builder.retry;
        this.maxAge = builder.maxAge;
        this.maxBytes = builder.maxBytes;
        this.maxMessages = builder.maxMessages;
    }

    /** Settings for {@code directory} with the defaults: retry {@code 1m,5m,15m,1h,4h}, max-age 5d, max-size 1GB. */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    public Path directory() {
        return directory;
    }

    public RetrySchedule retry() {
        return retry;
    }

    /** How long a message may stay queued; the first failed attempt after that moves it to {@code dead/}. */
    public Duration maxAge() {
        return maxAge;
    }

    /** The most bytes of queued messages (dead ones not counted); 0 for no limit. */
    public long maxBytes() {
        return maxBytes;
    }

    /** The most queued messages (dead ones not counted); 0 for no limit. */
    public int maxMessages() {
        return maxMessages;
    }

    public Builder toBuilder() {
        return new Builder(directory).retry(retry).maxAge(maxAge).maxBytes(maxBytes).maxMessages(maxMessages);
    }

    @Override
    public String toString() {
        return "QueueSettings{directory=" + directory + ", retry=" + retry + ", maxAge="
                + DurationSyntax.format(maxAge.toMillis()) + ", maxBytes=" + maxBytes + ", maxMessages=" + maxMessages + "}";
    }

    /** Builds {@link QueueSettings}; starts from the defaults. */
    public static final class Builder {
        private final Path directory;
        private RetrySchedule retry = RetrySchedule.DEFAULT;
        private Duration maxAge = DEFAULT_MAX_AGE;
        private long maxBytes = DEFAULT_MAX_BYTES;
        private int maxMessages = DEFAULT_MAX_MESSAGES;

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        public Builder retry(RetrySchedule retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        public Builder maxAge(Duration maxAge) {
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("max-age must be positive, not " + maxAge);
            }
            this.maxAge = maxAge;
            return this;
        }

        /** At most this many bytes of queued messages; 0 for no byte limit. */
        public Builder maxBytes(long maxBytes) {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("maxBytes must be 0 (unlimited) or positive, not " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /** At most this many queued messages; 0 for no count limit. */
        public Builder maxMessages(int maxMessages) {
            if (maxMessages < 0) {
                throw new IllegalArgumentException("maxMessages must be 0 (unlimited) or positive, not " + maxMessages);
            }
            this.maxMessages = maxMessages;
            return this;
        }

        public QueueSettings build() {
            return new QueueSettings(this);
        }
    }
}
