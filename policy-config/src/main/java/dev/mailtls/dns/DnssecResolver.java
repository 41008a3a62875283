package dev.mailtls.dns;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * Looks names up in DNS and says how far each answer can be trusted ({@link DnsStatus}), in the
 * {@link DnssecMode} of the {@link DnsSettings}:
 *
 * <ul>
 *   <li>{@code validate}: dnsjava's {@link ValidatingResolver} checks the signatures itself, from the
 *       configured trust anchors, over whatever recursive servers are configured.</li>
 *   <li>{@code trust-ad}: queries carry the DO bit and the AD bit of the (loopback) resolver's reply
 *       decides; SERVFAIL with a DNSSEC extended error is bogus.</li>
 * </ul>
 *
 * <p>Each query is sent with {@code Resolver.sendAsync} directly, never through dnsjava's
 * {@code Lookup} or {@code LookupSession} (which hide the AD bit) and never through dnsjava's global
 * default resolver, which the host application may own. CNAMEs are followed here, and when a chain
 * is insecure its hops are asked about one by one to find the first insecure one
 * (RFC 7672 §2.1.3): {@link DnsAnswer#aliases()} gives the status of each hop.
 *
 * <p>Nothing here throws for a DNS problem: a timeout, a SERVFAIL, a garbled or contradictory reply
 * all become an {@link DnsStatus#INDETERMINATE} answer with the reason. Answers are cached (see
 * {@code AnswerCache}): by TTL, failures for {@link Builder#failureTtl(Duration)} at most, and one
 * query is shared by all who ask the same question while it is pending. Thread-safe; close it to
 * stop its two daemon threads.
 */
public final class DnssecResolver implements Closeable {
    /** More CNAME hops than this fail the lookup, as in common resolvers. */
    static final int MAX_ALIASES = 8;
    /** The EDNS0 UDP payload size of DNS Flag Day 2020, which avoids IP fragmentation. */
    private static final int EDNS_PAYLOAD_SIZE = 1232;

    private final DnssecMode mode;
    private final Resolver upstream;
    private final ResponseReader reader;
    private final AnswerCache cache;
    private final Clock clock;
    private final long timeoutMillis;
    private final ThreadPoolExecutor executor;

    private DnssecResolver(Builder builder) {
        DnsSettings settings = builder.settings;
        this.mode = settings.dnssecMode();
        this.clock = builder.clock;
        this.timeoutMillis = settings.timeoutMillis();
        this.executor = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<Runnable>(),
                new DaemonThreads());
        executor.allowCoreThreadTimeOut(true);
        // Each server gets its share of the lookup's time, so that the next one is still tried.
        Duration perServer = Duration.ofMillis(Math.max(1, timeoutMillis / settings.servers().size()));
        ServerList servers = new ServerList(settings.servers(), perServer, executor);
        this.upstream = mode == DnssecMode.VALIDATE ? validating(servers, settings, clock) : servers;
        this.reader = new ResponseReader(mode);
        this.cache = new AnswerCache(clock, builder.cacheCapacity, builder.failureTtl.toMillis(),
                builder.maxTtl.toMillis());
    }

    /** A resolver with the default cache: 10,000 answers, failures kept 5 s, nothing kept over 1 h. */
    public static DnssecResolver create(DnsSettings settings) {
        return builder(settings).build();
    }

    public static Builder builder(DnsSettings settings) {
        return new Builder(settings);
    }

    public DnssecMode mode() {
        return mode;
    }

    /**
     * The answer for {@code name} (absolute or not; taken as absolute) and {@code type}, waiting at
     * most the configured timeout. An interrupted thread gets an indeterminate answer and keeps its
     * interrupt flag.
     *
     * @throws IllegalArgumentException if {@code name} is not a DNS name
     */
    public DnsAnswer lookup(String name, int type) {
        return lookup(toName(name), type);
    }

    /** As {@link #lookup(String, int)}; {@code name} must be absolute. */
    public DnsAnswer lookup(Name name, int type) {
        return await(lookupAsync(name, type), name, type);
    }

    /**
     * Starts a lookup, or joins the pending or cached one. The future never completes exceptionally
     * and cancelling it does not stop the lookup for others; it has no deadline of its own (each
     * query does), {@link #lookup(Name, int)} adds one.
     */
    public CompletableFuture<DnsAnswer> lookupAsync(final Name name, final int type) {
        if (!name.isAbsolute()) {
            throw new IllegalArgumentException("DNS name " + name + " is not absolute");
        }
        return cache.get(name, type, () -> resolve(name, type)).thenApply(Function.<DnsAnswer>identity());
    }

    /**
     * Whether every one of {@code answers} is still the cached, unexpired answer to its question:
     * then a decision made from them would be made again the same way. Starts no lookup.
     */
    public boolean stillCurrent(List<DnsAnswer> answers) {
        for (DnsAnswer answer : answers) {
            if (cache.peek(answer.name(), answer.type()) != answer) {
                return false;
            }
        }
        return true;
    }

    /** Waits for a lookup until the configured timeout; never throws. */
    DnsAnswer await(CompletableFuture<DnsAnswer> pending, Name name, int type) {
        // CompletableFuture.get returns a completed answer without looking at the interrupt flag:
        // checked here, an interrupted caller gets the same answer however fast the lookup was.
        if (Thread.currentThread().isInterrupted()) {
            return DnsAnswer.failed(name, type, DnsStatus.INDETERMINATE, "interrupted while waiting for DNS");
        }
        try {
            return pending.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DnsAnswer.failed(name, type, DnsStatus.INDETERMINATE, "interrupted while waiting for DNS");
        } catch (TimeoutException e) {
            return DnsAnswer.failed(name, type, DnsStatus.INDETERMINATE,
                    "no answer within the DNS timeout of " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            return DnsAnswer.failed(name, type, DnsStatus.INDETERMINATE, "lookup failed: " + ServerList.describe(e));
        }
    }

    static Name toName(String name) {
        try {
            return Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: \"" + name + "\" (" + e.getMessage() + ")", e);
        }
    }

    /** Stops the threads; lookups still pending may then end indeterminate. */
    @Override
    public void close() {
        executor.shutdown();
    }

    private CompletableFuture<DnsAnswer> resolve(final Name name, final int type) {
        return follow(name, type, name, new ArrayList<DnsAnswer.Alias>(), null, null, Long.MAX_VALUE)
                .thenCompose(answer -> findInsecureHop(answer, 0))
                .handle((answer, error) -> answer != null ? answer
                        : DnsAnswer.failed(name, type, DnsStatus.INDETERMINATE,
                                "lookup failed: " + ServerList.describe(error)));
    }

    /**
     * Asks about {@code current} and, if the reply ends in a CNAME it does not resolve, goes on from
     * there. The status of the whole is the weakest of the replies used (one insecure reply makes
     * everything after it insecure).
     */
    private CompletableFuture<DnsAnswer> follow(final Name name, final int type, final Name current,
            final List<DnsAnswer.Alias> aliases, final DnsStatus statusSoFar, final String reasonSoFar,
            final long ttlSoFar) {
        return query(current, type).thenCompose(reading -> {
            if (reading.kind == DnsAnswer.Kind.FAILED) {
                String where = current.equals(name) ? "" : "following the CNAME chain to " + current + ": ";
                return done(DnsAnswer.failed(name, type, reading.status, where + reading.reason));
            }
            DnsStatus status = statusSoFar == null ? reading.status : statusSoFar.then(reading.status);
            String reason = statusSoFar == null || statusSoFar == DnsStatus.SECURE ? reading.reason : reasonSoFar;
            List<DnsAnswer.Alias> chain = new ArrayList<DnsAnswer.Alias>(aliases);
            for (DnsAnswer.Alias alias : reading.aliases) {
                for (DnsAnswer.Alias earlier : chain) {
                    if (earlier.owner().equals(alias.target())) {
                        return done(DnsAnswer.failed(name, type, DnsStatus.INDETERMINATE,
                                "CNAME loop: " + alias + " points back into the chain"));
                    }
                }
                chain.add(statusSoFar == null ? alias : alias.withStatus(statusSoFar.then(alias.status())));
            }
            if (chain.size() > MAX_ALIASES) {
                return done(DnsAnswer.failed(name, type, DnsStatus.INDETERMINATE,
                        "CNAME chain longer than " + MAX_ALIASES + " hops from " + name));
            }
            long ttl = Math.min(ttlSoFar, reading.ttlSeconds);
            if (reading.incomplete) {
                return follow(name, type, reading.end, chain, status, reason, ttl);
            }
            return done(new DnsAnswer(name, type, status, reading.kind, reason, chain, reading.end, reading.records,
                    ttl == Long.MAX_VALUE ? 0 : ttl));
        });
    }

    /**
     * One reply covers the whole CNAME chain, so an insecure reply does not say which hop is
     * insecure. Asking for the CNAME of each hop in turn finds the first insecure one; the hops
     * before it are secure, which decides the TLSA base domains (RFC 7672 §2.2.2). Not knowing
     * fails the lookup: guessing "insecure" could switch DANE off.
     */
    private CompletableFuture<DnsAnswer> findInsecureHop(final DnsAnswer answer, final int index) {
        if (answer.status() != DnsStatus.INSECURE || index >= answer.aliases().size()) {
            return done(answer);
        }
        final DnsAnswer.Alias hop = answer.aliases().get(index);
        if (hop.status() == DnsStatus.SECURE) {
            return findInsecureHop(answer, index + 1);
        }
        return lookupAsync(hop.owner(), Type.CNAME).thenCompose(probe -> {
            if (!probe.isAnswer()) {
                return done(DnsAnswer.failed(answer.name(), answer.type(), probe.status(),
                        "cannot tell whether " + hop.owner() + " CNAME " + hop.target() + " is signed: " + probe.reason()));
            }
            if (probe.status() == DnsStatus.INSECURE) {
                return done(answer);
            }
            if (probe.records().isEmpty() || !((CNAMERecord) probe.records().get(0)).getTarget().equals(hop.target())) {
                return done(DnsAnswer.failed(answer.name(), answer.type(), DnsStatus.INDETERMINATE,
                        "the CNAME of " + hop.owner() + " changed between queries: " + hop.target() + ", then " + probe));
            }
            List<DnsAnswer.Alias> aliases = new ArrayList<DnsAnswer.Alias>(answer.aliases());
            aliases.set(index, hop.withStatus(DnsStatus.SECURE));
            DnsAnswer sharper = new DnsAnswer(answer.name(), answer.type(), answer.status(), answer.kind(),
                    answer.reason(), aliases, answer.canonicalName(), answer.records(),
                    Math.min(answer.ttlSeconds(), probe.ttlSeconds()));
            return findInsecureHop(sharper, index + 1);
        });
    }

    private CompletableFuture<ResponseReader.Reading> query(final Name name, final int type) {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        // The DO bit asks for DNSSEC records and for the AD bit; CD stays clear (see ServerList).
        query.addRecord(new OPTRecord(EDNS_PAYLOAD_SIZE, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
        CompletableFuture<Message> reply;
        try {
            reply = upstream.sendAsync(query, executor).toCompletableFuture();
        } catch (RuntimeException e) {
            reply = new CompletableFuture<Message>();
            reply.completeExceptionally(e);
        }
        return reply.handle((message, error) -> {
            if (error != null) {
                return ResponseReader.Reading.failed(DnsStatus.INDETERMINATE, "no answer: " + ServerList.describe(error));
            }
            try {
                return reader.read(name, type, message, clock.instant());
            } catch (RuntimeException e) {
                return ResponseReader.Reading.failed(DnsStatus.INDETERMINATE,
                        "unreadable reply: " + ServerList.describe(e));
            }
        });
    }

    private static CompletableFuture<DnsAnswer> done(DnsAnswer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    private static Resolver validating(ServerList servers, DnsSettings settings, Clock clock) {
        // The constructor also reads dnsjava's system properties: a host application that sets
        // dnsjava.dnssec.trust_anchor_file adds its anchors to ours. It cannot remove any.
        ValidatingResolver validating = new ValidatingResolver(servers, clock);
        try {
            validating.loadTrustAnchors(
                    new ByteArrayInputStream(settings.trustAnchors().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("DNSSEC trust anchors from " + settings.trustAnchorsSource()
                    + " cannot be loaded: " + e.getMessage() + ". Fix the file or use dnssec-mode trust-ad.", e);
        }
        if (validating.getTrustAnchors().items().isEmpty()) {
            throw new IllegalArgumentException("DNSSEC trust anchors from " + settings.trustAnchorsSource()
                    + " hold no DS or DNSKEY record, so nothing could ever validate as secure.");
        }
        return validating;
    }

    /** Settings of the resolver beyond {@link DnsSettings}: mostly the cache. */
    public static final class Builder {
        private final DnsSettings settings;
        private Clock clock = Clock.systemUTC();
        private int cacheCapacity = 10000;
        private Duration failureTtl = Duration.ofSeconds(5);
        private Duration maxTtl = Duration.ofHours(1);

        private Builder(DnsSettings settings) {
            this.settings = settings;
        }

        /** The clock for TTLs and for signature validity (tests move it). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** How many answers are kept at most; the least recently used go first. */
        public Builder cacheCapacity(int answers) {
            this.cacheCapacity = answers;
            return this;
        }

        /**
         * How long a failed lookup (bogus, indeterminate) is remembered: long enough that a burst of
         * mail to a broken domain asks once, short enough that a transient failure clears. At most
         * 30 seconds; zero remembers nothing.
         */
        public Builder failureTtl(Duration failureTtl) {
            this.failureTtl = failureTtl;
            return this;
        }

        /** The longest any answer is kept, whatever its TTL. */
        public Builder maxTtl(Duration maxTtl) {
            this.maxTtl = maxTtl;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the settings cannot work ({@link DnsSettings#problem()}),
         *     the trust anchors do not load, or a cache setting is out of range
         */
        public DnssecResolver build() {
            String problem = settings.problem();
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            if (failureTtl.isNegative() || failureTtl.compareTo(Duration.ofSeconds(30)) > 0) {
                throw new IllegalArgumentException("failed DNS lookups may be remembered for 0 to 30 seconds, not "
                        + failureTtl.getSeconds() + " s: longer would delay mail after the problem is fixed");
            }
            if (maxTtl.isNegative()) {
                throw new IllegalArgumentException("the longest DNS cache time cannot be negative: " + maxTtl);
            }
            return new DnssecResolver(this);
        }
    }

    private static final class DaemonThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            // Daemon: a resolver that nobody closed must not keep the host application alive.
            Thread thread = new Thread(task, "mailtls-dns-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
