package dev.mailtls.dns;

import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.xbill.DNS.Name;

/**
 * Answers by name and type, each kept with its {@link DnsStatus} for as long as its TTL allows.
 *
 * <ul>
 *   <li>Secure and insecure answers live for their TTL (for NXDOMAIN and NODATA, the smaller of the
 *       SOA's TTL and MINIMUM, RFC 2308), capped at {@code maxTtlMillis}.</li>
 *   <li>Failures (bogus, indeterminate) live for {@code failureTtlMillis} only, a few seconds, so that
 *       a burst of mail to a broken domain asks DNS once while a transient failure clears quickly.</li>
 *   <li>A question being asked is shared: whoever asks it again before the reply joins the same
 *       pending lookup instead of sending another query.</li>
 *   <li>At most {@code capacity} entries; the least recently used one goes first.</li>
 * </ul>
 */
final class AnswerCache {
    private final Clock clock;
    private final int capacity;
    private final long failureTtlMillis;
    private final long maxTtlMillis;
    private final Map<Key, Entry> entries;

    AnswerCache(Clock clock, int capacity, long failureTtlMillis, long maxTtlMillis) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the DNS cache needs room for at least one answer, not " + capacity);
        }
        this.clock = clock;
        this.capacity = capacity;
        this.failureTtlMillis = failureTtlMillis;
        this.maxTtlMillis = maxTtlMillis;
        this.entries = new LinkedHashMap<Key, Entry>(16, 0.75f, true);
    }

    /**
     * The cached or pending answer to this question, or else the one {@code lookup} starts. The
     * returned future is the shared one: callers must not complete or cancel it.
     */
    CompletableFuture<DnsAnswer> get(Name name, int type, Supplier<CompletableFuture<DnsAnswer>> lookup) {
        Key key = new Key(name, type);
        Entry entry;
        synchronized (entries) {
            Entry cached = entries.get(key);
            if (cached != null && (cached.pending() || cached.expiresAtMillis > clock.millis())) {
                return cached.answer;
            }
            entry = new Entry();
            entries.put(key, entry);
            evictBeyondCapacity();
        }
        start(key, entry, lookup);
        return entry.answer;
    }

    /**
     * The completed, unexpired answer cached for this question, or {@code null}; never starts a
     * lookup. A caller that remembered an answer can tell by identity whether it is still current.
     */
    DnsAnswer peek(Name name, int type) {
        synchronized (entries) {
            Entry cached = entries.get(new Key(name, type));
            if (cached == null || cached.pending() || cached.expiresAtMillis <= clock.millis()) {
                return null;
            }
            return cached.answer.getNow(null);
        }
    }

    private void start(final Key key, final Entry entry, Supplier<CompletableFuture<DnsAnswer>> lookup) {
        CompletableFuture<DnsAnswer> started;
        try {
            started = lookup.get();
        } catch (RuntimeException e) {
            started = CompletableFuture.completedFuture(DnsAnswer.failed(key.name, key.type, DnsStatus.INDETERMINATE,
                    "lookup could not start: " + ServerList.describe(e)));
        }
        started.whenComplete((answer, error) -> {
            DnsAnswer result = answer != null ? answer
                    : DnsAnswer.failed(key.name, key.type, DnsStatus.INDETERMINATE,
                            "lookup failed: " + ServerList.describe(error));
            synchronized (entries) {
                long lifetime = lifetimeMillis(result);
                entry.expiresAtMillis = clock.millis() + lifetime;
                if (lifetime <= 0 && entries.get(key) == entry) {
                    entries.remove(key);
                }
            }
            entry.answer.complete(result);
        });
    }

    private long lifetimeMillis(DnsAnswer answer) {
        if (!answer.isAnswer()) {
            return failureTtlMillis;
        }
        return Math.min(maxTtlMillis, answer.ttlSeconds() * 1000L);
    }

    private void evictBeyondCapacity() {
        Iterator<Entry> oldestFirst = entries.values().iterator();
        while (entries.size() > capacity && oldestFirst.hasNext()) {
            // A pending lookup that is evicted still completes for those already waiting on it.
            oldestFirst.next();
            oldestFirst.remove();
        }
    }

    private static final class Entry {
        final CompletableFuture<DnsAnswer> answer = new CompletableFuture<DnsAnswer>();
        volatile long expiresAtMillis = Long.MAX_VALUE;

        boolean pending() {
            return !answer.isDone();
        }
    }

    private static final class Key {
        final Name name;
        final int type;

        Key(Name name, int type) {
            this.name = name;
            this.type = type;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key && ((Key) other).name.equals(name) && ((Key) other).type == type;
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + type;
        }
    }
}
