package dev.mailtls.james;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Reuse and expiry of idle connections, on a clock of the test's; the transports are stand-ins that only count. */
class ConnectionCacheTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ConnectionCache cache = new ConnectionCache(now::get, LoggerFactory.getLogger(ConnectionCacheTest.class));

    /** A transport that is connected until closed, and says whether it was closed. */
    private static final class CountingTransport extends Transport {
        boolean connected = true;
        int closes;

        CountingTransport() {
            super(Session.getInstance(new Properties()), null);
        }

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public void close() {
            connected = false;
            closes++;
        }

        @Override
        public void sendMessage(Message message, Address[] addresses) {
            throw new UnsupportedOperationException("not sent in this test");
        }
    }

    private ConnectionCache.Connection connection(CountingTransport transport) {
        return new ConnectionCache.Connection(transport, new Properties(), "mx.example.com[192.0.2.1]:25", now.get());
    }

    @AfterEach
    void close() {
        cache.close();
    }

    @Test
    void connectionIsReusedForItsKeyOnly() {
        CountingTransport transport = new CountingTransport();
        cache.offer("a", connection(transport));

        assertThat(cache.take("b")).isNull();
        ConnectionCache.Connection reused = cache.take("a");
        assertThat(reused.transport).isSameAs(transport);
        assertThat(reused.uses).isEqualTo(2);
        assertThat(cache.take("a")).as("one user at a time").isNull();
    }

    @Test
    void connectionIdleForTwoSecondsIsClosed() {
        CountingTransport transport = new CountingTransport();
        cache.offer("a", connection(transport));
        now.addAndGet(ConnectionCache.IDLE_LIMIT_MILLIS);

        cache.closeExpired();

        assertThat(transport.closes).isEqualTo(1);
        assertThat(cache.idleCount()).isZero();
        assertThat(cache.take("a")).isNull();
    }

    @Test
    void connectionTheServerClosedIsNotHandedOut() {
        CountingTransport transport = new CountingTransport();
        cache.offer("a", connection(transport));
        transport.connected = false;

        assertThat(cache.take("a")).isNull();
        assertThat(transport.closes).isEqualTo(1);
    }

    @Test
    void connectionOlderThanTheReuseTimeLimitIsClosedInsteadOfKept() {
        CountingTransport transport = new CountingTransport();
        ConnectionCache.Connection old = connection(transport);
        now.addAndGet(ConnectionCache.REUSE_TIME_LIMIT_MILLIS);

        cache.offer("a", old);

        assertThat(transport.closes).isEqualTo(1);
        assertThat(cache.idleCount()).isZero();
    }

    @Test
    void closeClosesEveryIdleConnection() {
        CountingTransport first = new CountingTransport();
        CountingTransport second = new CountingTransport();
        cache.offer("a", connection(first));
        cache.offer("b", connection(second));

        cache.close();

        assertThat(first.closes).isEqualTo(1);
        assertThat(second.closes).isEqualTo(1);
    }

    @Test
    void connectionOfferedAfterCloseIsClosedNotKept() {
        // A delivery that outlived the mailet's destroy() must not leave its connection open.
        cache.close();
        CountingTransport late = new CountingTransport();

        cache.offer("a", connection(late));

        assertThat(late.closes).isEqualTo(1);
        assertThat(cache.idleCount()).isZero();
    }
}
