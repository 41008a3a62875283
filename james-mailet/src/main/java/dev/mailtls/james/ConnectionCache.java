package dev.mailtls.james;

import dev.mailtls.dane.TlsaRecord;
import dev.mailtls.engine.ConnectionRequirement;
import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * SMTP connections kept open after a transaction, for the next mail to the same server under
 * the same requirement, as Postfix's connection cache does ({@code smtp_connection_cache_on_demand}):
 * an idle connection is closed after 2 s ({@code smtp_connection_cache_time_limit}), none is used
 * for longer than 300 s ({@code smtp_connection_reuse_time_limit}). A connection is only ever
 * reused for the exact requirement it was made and verified for: the same server and address,
 * the same rule, level and action, the same effective requirement, names and TLSA records (a
 * changed DNS answer makes a different key, and so a new, newly verified connection). Thread-safe.
 */
final class ConnectionCache {
    static final long IDLE_LIMIT_MILLIS = 2_000;
    static final long REUSE_TIME_LIMIT_MILLIS = 300_000;

    /** An open SMTP connection between transactions. */
    static final class Connection {
        final Transport transport;
        /** The session's properties: the envelope sender of the next transaction is set here. */
        final Properties properties;
        final String relay;
        final long connectedAtMillis;
        int uses;
        long idleSinceMillis;

        Connection(Transport transport, Properties properties, String relay, long connectedAtMillis) {
            this.transport = transport;
            this.properties = properties;
            this.relay = relay;
            this.connectedAtMillis = connectedAtMillis;
            this.uses = 1;
        }
    }

    private final Map<String, Deque<Connection>> idle = new HashMap<>();
    private final LongSupplier clock;
    private final Logger log;
    private final ScheduledExecutorService sweeper;
    /** Set by {@link #close}: a connection offered afterwards (a delivery that outlived the mailet) is closed. */
    private boolean closed;

    ConnectionCache(Logger log) {
        this(System::currentTimeMillis, log);
    }

    ConnectionCache(LongSupplier clock, Logger log) {
        this.clock = clock;
        this.log = log;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "mailtls-connection-cache");
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(this::closeExpired, IDLE_LIMIT_MILLIS, IDLE_LIMIT_MILLIS / 2, TimeUnit.MILLISECONDS);
    }

    /** What a connection is reused for: everything the policy decided about it. */
    static String key(ConnectionRequirement requirement, String relay, boolean withoutTls) {
        StringBuilder key = new StringBuilder(relay).append('|').append(requirement.match().rule().key()).append('|')
                .append(requirement.match().policy().level()).append('|').append(requirement.match().policy().action())
                .append('|').append(requirement.kind()).append('|').append(requirement.names()).append('|')
                .append(requirement.serverName()).append('|').append(withoutTls ? "plaintext" : "starttls");
        if (requirement.tlsa() != null) {
            key.append('|').append(requirement.tlsa().kind()).append('|').append(requirement.tlsa().insecureMx());
            for (TlsaRecord record : requirement.tlsa().records()) {
                key.append('|').append(record.usage()).append(' ').append(record.selector()).append(' ')
                        .append(record.matchingType()).append(' ').append(record.dataHex());
            }
        }
        return key.toString();
    }

    /**
     * An open connection for {@code key}, checked with NOOP, or {@code null}. The caller owns it
     * until it hands it back with {@link #offer} or closes it.
     */
    Connection take(String key) {
        while (true) {
            Connection connection;
            synchronized (this) {
                Deque<Connection> connections = idle.get(key);
                connection = connections == null ? null : connections.pollFirst();
            }
            if (connection == null) {
                return null;
            }
            if (usable(connection, clock.getAsLong()) && connection.transport.isConnected()) {
                connection.uses++;
                return connection;
            }
            close(connection);
        }
    }

    /** Keeps {@code connection} for the next transaction with {@code key}, or closes it when too old. */
    void offer(String key, Connection connection) {
        long now = clock.getAsLong();
        if (now - connection.connectedAtMillis >= REUSE_TIME_LIMIT_MILLIS) {
            close(connection);
            return;
        }
        connection.idleSinceMillis = now;
        synchronized (this) {
            if (!closed) {
                idle.computeIfAbsent(key, any -> new ArrayDeque<>()).addFirst(connection);
                return;
            }
        }
        close(connection);
    }

    private static boolean usable(Connection connection, long now) {
        return now - connection.idleSinceMillis < IDLE_LIMIT_MILLIS && now - connection.connectedAtMillis < REUSE_TIME_LIMIT_MILLIS;
    }

    /** Closes the connections idle for too long. */
    void closeExpired() {
        long now = clock.getAsLong();
        List<Connection> expired = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Deque<Connection>> lists = idle.values().iterator(); lists.hasNext();) {
                Deque<Connection> connections = lists.next();
                connections.removeIf(connection -> !usable(connection, now) && expired.add(connection));
                if (connections.isEmpty()) {
                    lists.remove();
                }
            }
        }
        expired.forEach(this::close);
    }

    /** How many connections wait for reuse. */
    synchronized int idleCount() {
        int count = 0;
        for (Deque<Connection> connections : idle.values()) {
            count += connections.size();
        }
        return count;
    }

    /** Closes every idle connection, and those offered from now on, and stops the sweeper. */
    void close() {
        sweeper.shutdownNow();
        List<Connection> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(this::close);
    }

    void close(Connection connection) {
        try {
            connection.transport.close();
        } catch (MessagingException | RuntimeException closing) {
            log.debug("mailtls: closing the connection to {} failed: {}", connection.relay, closing.toString());
        }
    }
}
