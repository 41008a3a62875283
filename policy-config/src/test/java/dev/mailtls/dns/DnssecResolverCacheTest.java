package dev.mailtls.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.testing.DnsReplies;
import dev.mailtls.testing.FakeDnsServer;
import dev.mailtls.testing.FakeDnsServer.Reply;
import dev.mailtls.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** The answer cache: TTLs on an injected clock, negative and failure lifetimes, shared pending queries. */
class DnssecResolverCacheTest {
    private static final String SOA = "example.test. 300 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 30";

    private final MutableClock clock = new MutableClock(Instant.now());
    private FakeDnsServer server;
    private DnssecResolver resolver;

    @AfterEach
    void stop() {
        resolver.close();
        server.close();
    }

    private void start(FakeDnsServer.Responder responder, int capacity) throws Exception {
        server = FakeDnsServer.start(responder);
        DnsSettings settings = new DnsSettings(List.of(server.address()), DnssecMode.TRUST_AD, "", "none", 2000);
        resolver = DnssecResolver.builder(settings).clock(clock).cacheCapacity(capacity).build();
    }

    private int queries() {
        return server.receivedQueries().size();
    }

    @Test
    void answerIsReusedUntilItsTtlRunsOut() throws Exception {
        start(query -> Reply.message(DnsReplies.answer(query, true, "mx.example.test. 60 IN A 192.0.2.1")), 100);

        resolver.lookup("mx.example.test", Type.A);
        clock.advance(Duration.ofSeconds(59));
        resolver.lookup("mx.example.test", Type.A);
        assertThat(queries()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        resolver.lookup("mx.example.test", Type.A);
        assertThat(queries()).isEqualTo(2);
    }

    @Test
    void answerIsCurrentUntilItsTtlRunsOutAndCheckingStartsNoQuery() throws Exception {
        start(query -> Reply.message(DnsReplies.answer(query, true, "mx.example.test. 60 IN A 192.0.2.1")), 100);

        DnsAnswer answer = resolver.lookup("mx.example.test", Type.A);
        clock.advance(Duration.ofSeconds(59));
        assertThat(resolver.stillCurrent(List.of(answer))).isTrue();

        clock.advance(Duration.ofSeconds(2));
        assertThat(resolver.stillCurrent(List.of(answer))).isFalse();
        assertThat(queries()).as("checking is no lookup").isEqualTo(1);

        DnsAnswer fresh = resolver.lookup("mx.example.test", Type.A);
        assertThat(resolver.stillCurrent(List.of(fresh))).isTrue();
        assertThat(resolver.stillCurrent(List.of(answer, fresh))).as("the old one was replaced").isFalse();
    }

    @Test
    void negativeAnswerLivesForTheSoaMinimum() throws Exception {
        start(query -> Reply.message(DnsReplies.negative(query, Rcode.NXDOMAIN, true, SOA)), 100);

        DnsAnswer first = resolver.lookup("nowhere.example.test", Type.A);
        clock.advance(Duration.ofSeconds(29));
        resolver.lookup("nowhere.example.test", Type.A);
        assertThat(queries()).isEqualTo(1);
        assertThat(first.ttlSeconds()).isEqualTo(30);

        clock.advance(Duration.ofSeconds(2));
        resolver.lookup("nowhere.example.test", Type.A);
        assertThat(queries()).isEqualTo(2);
    }

    @Test
    void cachedAnswerKeepsTheSecurityItWasLearnedWith() throws Exception {
        AtomicBoolean authenticated = new AtomicBoolean(true);
        start(query -> Reply.message(DnsReplies.answer(query, authenticated.get(), "mx.example.test. 60 IN A 192.0.2.1")),
                100);

        assertThat(resolver.lookup("mx.example.test", Type.A).status()).isEqualTo(DnsStatus.SECURE);
        authenticated.set(false);
        assertThat(resolver.lookup("mx.example.test", Type.A).status()).isEqualTo(DnsStatus.SECURE);

        clock.advance(Duration.ofSeconds(61));
        assertThat(resolver.lookup("mx.example.test", Type.A).status()).isEqualTo(DnsStatus.INSECURE);
    }

    @Test
    void failureIsRememberedForAFewSecondsOnly() throws Exception {
        start(query -> Reply.message(DnsReplies.servfail(query, null, null)), 100);

        resolver.lookup("mx.example.test", Type.A);
        resolver.lookup("mx.example.test", Type.A);
        assertThat(queries()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(6));
        resolver.lookup("mx.example.test", Type.A);
        assertThat(queries()).isEqualTo(2);
    }

    @Test
    void concurrentLookupsOfOneNameShareOneQuery() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // TTL 0: nothing is cached, so only sharing the pending query can save the second query.
        start(query -> {
            release.await(10, TimeUnit.SECONDS);
            return Reply.message(DnsReplies.answer(query, true, "mx.example.test. 0 IN A 192.0.2.1"));
        }, 100);
        Name name = Name.fromString("mx.example.test.");

        List<CompletableFuture<DnsAnswer>> pending = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pending.add(resolver.lookupAsync(name, Type.A));
        }
        release.countDown();

        for (CompletableFuture<DnsAnswer> answer : pending) {
            assertThat(answer.get(10, TimeUnit.SECONDS).status()).isEqualTo(DnsStatus.SECURE);
        }
        assertThat(queries()).isEqualTo(1);
        resolver.lookup(name, Type.A);
        assertThat(queries()).as("an answer with TTL 0 is not kept").isEqualTo(2);
    }

    @Test
    void leastRecentlyUsedAnswerIsDroppedWhenTheCacheIsFull() throws Exception {
        start(query -> Reply.message(DnsReplies.answer(query, true,
                query.getQuestion().getName() + " 300 IN A 192.0.2.1")), 2);

        resolver.lookup("a.example.test", Type.A);
        resolver.lookup("b.example.test", Type.A);
        resolver.lookup("a.example.test", Type.A);
        resolver.lookup("c.example.test", Type.A);
        assertThat(queries()).isEqualTo(3);

        resolver.lookup("a.example.test", Type.A);
        assertThat(queries()).as("a was used more recently than b").isEqualTo(3);
        resolver.lookup("b.example.test", Type.A);
        assertThat(queries()).isEqualTo(4);
    }
}
