package dev.mailtls.queue;

import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.DurationSyntax;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Delivers due messages in the background: a daemon thread claims each due message, hands it to the
 * {@link Deliverer} (on {@link Builder#threads} delivery threads, one by default) and records the outcome; then it waits a poll interval (1s by default: messages
 * of other JVMs and scheduled retries are found by polling) or until this JVM queues a message or
 * asks for a retry. One log line per outcome, in Postfix's words:
 * <pre>
 * mailtls: 018F2A3B4C5D9E8F7A6B: to=&lt;alice@example.org&gt;, relay=mx.example.org:25, delay=61, tries=2, status=sent
 * mailtls: 018F2A3B4C5D9E8F7A6B: to=&lt;alice@example.org&gt;, relay=mx.example.org:25, delay=1.2, tries=1, status=deferred (454 4.7.4 ...)
 * mailtls: 018F2A3B4C5D9E8F7A6B: to=&lt;alice@example.org&gt;, relay=mx.example.org:25, delay=3, tries=1, status=bounced (550 5.1.1 ...), message moved to dead/
 * mailtls: 018F2A3B4C5D9E8F7A6B: from=&lt;app@example.com&gt;, status=expired, message moved to dead/ after 5d (...)
 * </pre>
 * No exception stops the thread: a failing {@link Deliverer} counts as a deferral, a failing
 * disk is logged and tried again at the next poll. While running it registers a {@link QueueMXBean}.
 */
public final class QueueWorker implements Closeable {
    /** How often the queue directory is scanned for due messages when nothing wakes the worker. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    private final MessageQueue queue;
    private final Deliverer deliverer;
    private final Logger log;
    private final Clock clock;
    private final Duration pollInterval;
    private final int threads;
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicLong deferrals = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    /** Why each waiting message was last reported as waiting, to log that once rather than at every poll. */
    private final Map<String, String> reportedNotReady = new ConcurrentHashMap<>();
    /**
     * Messages whose outcome could not be written (a full, failing or read-only disk), and when
     * this worker may attempt each again. On disk such a message is still due, so without this a
     * sent one would be sent again at every poll, and a deferred one would hammer its destination.
     */
    private final Map<String, Instant> unrecorded = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private final Runnable wakeUp = this::wakeUp;
    private boolean woken;
    private volatile boolean running;
    private volatile boolean stopping;
    private Thread thread;
    private ExecutorService deliveryThreads;
    private ObjectName registeredName;

    /** A worker with the queue's clock, a poll interval of 1s and one delivery thread. */
    public QueueWorker(MessageQueue queue, Deliverer deliverer, Logger log) {
        this(builder(queue, deliverer).log(log));
    }

    /** A worker with its own clock (tests) and poll interval, and one delivery thread. */
    public QueueWorker(MessageQueue queue, Deliverer deliverer, Logger log, Clock clock, Duration pollInterval) {
        this(builder(queue, deliverer).log(log).clock(clock).pollInterval(pollInterval));
    }

    private QueueWorker(Builder builder) {
        this.queue = builder.queue;
        this.deliverer = builder.deliverer;
        this.log = builder.log;
        this.clock = builder.clock;
        this.pollInterval = builder.pollInterval;
        this.threads = builder.threads;
    }

    /** A worker to configure: by default the queue's clock, a 1s poll interval, one delivery thread. */
    public static Builder builder(MessageQueue queue, Deliverer deliverer) {
        return new Builder(queue, deliverer);
    }

    /** Starts the daemon thread {@code mailtls-queue} and registers the MBean; once only. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("worker already started");
        }
        running = true;
        queue.addListener(wakeUp);
        registerMBean();
        thread = new Thread(this::loop, "mailtls-queue");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops the thread after the attempt in progress (waiting for it at most 30 s; the JVM may exit
     * meanwhile, as the thread is a daemon) and unregisters the MBean.
     */
    @Override
    public void close() {
        Thread worker;
        synchronized (this) {
            running = false;
            stopping = true;
            worker = thread;
        }
        queue.removeListener(wakeUp);
        wakeUp();
        if (worker != null && worker != Thread.currentThread()) {
            try {
                worker.join(30_000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        unregisterMBean();
        ExecutorService pool;
        synchronized (this) {
            pool = deliveryThreads;
            deliveryThreads = null;
        }
        if (pool != null) {
            pool.shutdown();
        }
    }

    /** Makes the thread look for due messages now instead of at the end of its poll interval. */
    public void wakeUp() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /**
     * One pass over the queue on the caller's thread: every message due now and not claimed
     * elsewhere is handed to the deliverer once. The background thread runs this; tests call it
     * directly. Returns the number of attempts made (a not-ready deliverer's answer is none); none
     * after {@link #close()}.
     */
    public int runOnce() throws IOException {
        if (stopping) {
            return 0;
        }
        Instant now = clock.instant();
        List<QueuedMessage> listed = queue.messages();
        Set<String> ids = new HashSet<>();
        for (QueuedMessage message : listed) {
            ids.add(message.id());
        }
        reportedNotReady.keySet().retainAll(ids);
        unrecorded.keySet().retainAll(ids);
        List<String> due = new ArrayList<>();
        for (QueuedMessage candidate : listed) {
            Instant held = unrecorded.get(candidate.id());
            if (!candidate.nextAttempt().isAfter(now) && (held == null || !held.isAfter(now))) {
                due.add(candidate.id());
            }
        }
        if (threads == 1 || due.size() < 2) {
            int attempted = 0;
            for (String id : due) {
                if (stopping) {
                    break;
                }
                attempted += attempt(id, now) ? 1 : 0;
            }
            return attempted;
        }
        List<Future<Boolean>> attempts = new ArrayList<>();
        ExecutorService pool = deliveryThreads();
        for (String id : due) {
            attempts.add(pool.submit(() -> !stopping && attempt(id, now)));
        }
        int attempted = 0;
        for (Future<Boolean> attempt : attempts) {
            try {
                attempted += attempt.get() ? 1 : 0;
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException impossible) {
                // attempt(...) catches everything it can recover from; this is an Error.
                log.log(Level.SEVERE, "mailtls: queue " + queue.directory() + ": delivery thread failed", impossible.getCause());
            }
        }
        return attempted;
    }

    /** Claims message {@code id} if it is still due and free, and attempts it; whether an attempt was made. */
    private boolean attempt(String id, Instant now) {
        try {
            Optional<Claim> next = queue.claim(id, now, message -> true);
            if (!next.isPresent()) {
                return false; // another thread or JVM has it, or it is gone or no longer due
            }
            try (Claim claim = next.get()) {
                return attempt(claim);
            }
        } catch (IOException | RuntimeException failed) {
            // Not attempted (the outcomes are recorded in record(...)): tried again at the next look.
            log.log(Level.SEVERE, "mailtls: " + id + ": cannot claim it in the queue in " + queue.directory() + ": "
                    + failed, failed);
            return false;
        }
    }

    private synchronized ExecutorService deliveryThreads() {
        if (deliveryThreads == null) {
            AtomicInteger number = new AtomicInteger();
            deliveryThreads = Executors.newFixedThreadPool(threads, task -> {
                Thread thread = new Thread(task, "mailtls-queue-" + number.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        }
        return deliveryThreads;
    }

    public long deliveries() {
        return deliveries.get();
    }

    public long deferrals() {
        return deferrals.get();
    }

    public long deadLetters() {
        return deadLetters.get();
    }

    /** Whether the background thread is running. */
    public boolean isRunning() {
        Thread current = thread;
        return running && current != null && current.isAlive();
    }

    private void loop() {
        while (running) {
            if (Thread.interrupted()) {
                interrupted();
            }
            if (!queue.isOpen()) {
                log.warning("mailtls: queue " + queue.directory() + " was closed; its worker stops");
                running = false;
                break;
            }
            try {
                runOnce();
            } catch (Throwable failed) {
                log.log(Level.SEVERE, "mailtls: queue " + queue.directory() + ": delivery pass failed; trying again in "
                        + DurationSyntax.format(pollInterval.toMillis()) + ": " + failed, failed);
            }
            synchronized (signal) {
                if (!woken && running) {
                    try {
                        signal.wait(pollInterval.toMillis());
                    } catch (InterruptedException interrupted) {
                        interrupted();
                    }
                }
                woken = false;
            }
        }
    }

    /**
     * Only {@link #close()} stops the worker: queued mail must not wait for a restart because some
     * code interrupted every thread it could find. The flag is cleared, or file channels would
     * refuse to work on this thread.
     */
    private void interrupted() {
        log.warning("mailtls: queue " + queue.directory() + ": worker thread interrupted; it goes on (only the"
                + " agent's shutdown stops it)");
    }

    /** Hands one claimed message to the deliverer and records the outcome; false when it was not attempted. */
    private boolean attempt(Claim claim) {
        QueuedMessage message = claim.message();
        DeliveryResult result = deliver(message, claim);
        Instant end = clock.instant();
        int tries = message.attempts().size() + 1;
        Instant nextTry = end.plus(queue.settings().retry().delayAfter(tries));
        switch (result.outcome()) {
            case DELIVERED:
                record(message, "that it was sent", Instant.MAX, claim::delivered);
                deliveries.incrementAndGet();
                log.info(line(message, end, tries, "sent"));
                return true;
            case DEFERRED:
                record(message, "its deferral", nextTry, () -> claim.deferred(result.reason(), end));
                if (claim.movedToDead()) {
                    deadLetters.incrementAndGet();
                    log.warning("mailtls: " + message.id() + ": from=<" + message.envelope().sender() + ">, to="
                            + recipients(message) + ", status=expired, message moved to dead/ after "
                            + DurationSyntax.format(queue.settings().maxAge().toMillis()) + " (" + result.reason() + ")");
                } else {
                    deferrals.incrementAndGet();
                    log.info(line(message, end, tries, "deferred (" + result.reason() + ")"));
                }
                return true;
            case FAILED:
                record(message, "its move to dead/", Instant.MAX, () -> claim.failed(result.reason()));
                deadLetters.incrementAndGet();
                log.warning(line(message, end, tries, "bounced (" + result.reason() + "), message moved to dead/"));
                return true;
            default:
                return notReady(claim, result.reason(), end);
        }
    }

    /** The deliverer's answer; whatever it throws counts as a deferral. */
    private DeliveryResult deliver(QueuedMessage message, Claim claim) {
        try (InputStream body = claim.openBody()) {
            DeliveryResult result = deliverer.deliver(message, body);
            return result != null ? result : DeliveryResult.deferred("internal error: the deliverer returned no result");
        } catch (Throwable failed) {
            log.log(Level.WARNING, "mailtls: " + message.id() + ": delivery attempt failed with " + failed, failed);
            return DeliveryResult.deferred("internal error: " + failed);
        }
    }

    /**
     * The deliverer cannot try yet: the message stays due without an attempt, unless it is past
     * max-age, which holds even for a message that was never tried (e.g. credentials never supplied).
     */
    private boolean notReady(Claim claim, String why, Instant now) {
        QueuedMessage message = claim.message();
        Duration maxAge = queue.settings().maxAge();
        if (Duration.between(message.queuedAt(), now).compareTo(maxAge) >= 0) {
            record(message, "its move to dead/", Instant.MAX, () -> claim.expired("expired: not delivered within "
                    + DurationSyntax.format(maxAge.toMillis()) + " (" + ConfigLoader.QUEUE_MAX_AGE + "); not attempted: " + why));
            deadLetters.incrementAndGet();
            log.warning("mailtls: " + message.id() + ": from=<" + message.envelope().sender() + ">, to="
                    + recipients(message) + ", status=expired, message moved to dead/ after "
                    + DurationSyntax.format(maxAge.toMillis()) + " (not attempted: " + why + ")");
            return true;
        }
        boolean first = !why.equals(reportedNotReady.put(message.id(), why));
        log.log(first ? Level.INFO : Level.FINE, "mailtls: " + message.id() + ": to=" + recipients(message) + ", relay="
                + message.destination().relay() + ", status=waiting (" + why + ")");
        return false;
    }

    /**
     * Writes an outcome; when the disk refuses, says so and keeps this worker off the message until
     * {@code holdUntil} ({@link Instant#MAX}: for good, e.g. a message that was sent), instead of
     * failing the attempt: the attempt itself happened and is logged as such by the caller.
     */
    private void record(QueuedMessage message, String what, Instant holdUntil, Claim.Outcome outcome) {
        try {
            outcome.write();
        } catch (IOException | RuntimeException failed) {
            unrecorded.put(message.id(), holdUntil);
            boolean forGood = holdUntil.equals(Instant.MAX);
            log.log(Level.SEVERE, "mailtls: " + message.id() + ": cannot record " + what + " in the queue in "
                    + queue.directory() + " (" + failed + "); free space or fix the permissions there. This JVM "
                    + (forGood ? "will not attempt it again, but another JVM or a restart would: remove it with \"queue delete "
                    + queue.directory() + " " + message.id() + "\"" : "attempts it again at " + holdUntil), failed);
        }
    }

    private static String line(QueuedMessage message, Instant end, int tries, String status) {
        return "mailtls: " + message.id() + ": to=" + recipients(message) + ", relay=" + message.destination().relay()
                + ", delay=" + seconds(Duration.between(message.queuedAt(), end)) + ", tries=" + tries + ", status=" + status;
    }

    private static String recipients(QueuedMessage message) {
        return "<" + String.join(">,<", message.envelope().recipients()) + ">";
    }

    /** Seconds as Postfix writes a delay: two significant decimals below 10 s, whole seconds above. */
    static String seconds(Duration delay) {
        long millis = Math.max(0, delay.toMillis());
        if (millis >= 10_000) {
            return Long.toString(millis / 1000);
        }
        String text = String.format(Locale.ROOT, "%.2f", millis / 1000.0);
        return text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private void registerMBean() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = objectName(queue.directory().toString());
            server.registerMBean(new QueueMonitor(queue, this), name);
            registeredName = name;
        } catch (InstanceAlreadyExistsException twice) {
            log.warning("mailtls: queue " + queue.directory() + ": a second worker on this directory in this JVM;"
                    + " JMX shows the first one's counters");
        } catch (JMException | RuntimeException failed) {
            log.log(Level.WARNING, "mailtls: queue " + queue.directory() + ": cannot register the JMX MBean: " + failed, failed);
        }
    }

    private void unregisterMBean() {
        ObjectName name = registeredName;
        registeredName = null;
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException failed) {
                log.log(Level.FINE, "mailtls: MBean " + name + " was already gone", failed);
            }
        }
    }

    /** {@code dev.mailtls:type=Queue,directory="/var/spool/mailtls"}. */
    public static ObjectName objectName(String directory) {
        try {
            return new ObjectName("dev.mailtls:type=Queue,directory=" + ObjectName.quote(directory));
        } catch (JMException impossible) {
            throw new IllegalArgumentException(impossible);
        }
    }

    /** Configures a {@link QueueWorker}. */
    public static final class Builder {
        private final MessageQueue queue;
        private final Deliverer deliverer;
        private Logger log = Logger.getLogger("dev.mailtls.queue");
        private Clock clock;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private int threads = 1;

        private Builder(MessageQueue queue, Deliverer deliverer) {
            this.queue = Objects.requireNonNull(queue, "queue");
            this.deliverer = Objects.requireNonNull(deliverer, "deliverer");
            this.clock = queue.clock();
        }

        /** Where the outcome lines go; by default the logger {@code dev.mailtls.queue}. */
        public Builder log(Logger log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /** The clock that decides what is due and dates attempts; by default the queue's. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How often the directory is scanned when nothing wakes the worker; by default 1s. */
        public Builder pollInterval(Duration pollInterval) {
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("poll interval must be positive, not " + pollInterval);
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * How many messages are attempted at the same time; by default 1. More keep one slow or
         * unreachable destination (a connect timeout per message) from holding up the others, as
         * Postfix's parallel delivery agents do; the {@link Deliverer} must then be thread-safe.
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, not " + threads);
            }
            this.threads = threads;
            return this;
        }

        public QueueWorker build() {
            return new QueueWorker(this);
        }
    }
}
