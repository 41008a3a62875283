package dev.mailtls.queue;

import dev.mailtls.config.ConfigLoader;
import dev.mailtls.config.DurationSyntax;
import dev.mailtls.config.SizeSyntax;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The durable queue of deferred messages in one directory ({@code mailtls.queue.dir}). A message
 * is accepted only once its bytes and its metadata are on disk (written to a temporary file,
 * forced, renamed atomically, the directory forced); it leaves the queue when a delivery attempt
 * succeeds, when an operator deletes it, or for {@code dead/} when it expires or is refused
 * permanently. See {@link QueueLayout} for the files and {@code docs/queue.md} for the guarantees.
 *
 * <p>Thread-safe. Several JVMs may share a directory: every change to a message, and every
 * delivery, holds that message's lock in {@code queue.lock}, so no two of them deliver one message
 * at the same time. Open one instance per directory per JVM: more work too (they share the JVM's
 * lock file), but each keeps its own cache and scans the directory on its own.
 */
public final class MessageQueue implements Closeable {
    private static final Logger LOG = Logger.getLogger("dev.mailtls.queue");

    private final QueueSettings settings;
    private final Clock clock;
    private final QueueLayout layout;
    private final MessageLocks locks;
    private final EntryScanner queued;
    private final EntryScanner deadLetters;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private MessageQueue(QueueSettings settings, Clock clock, QueueLayout layout, MessageLocks locks) {
        this.settings = settings;
        this.clock = clock;
        this.layout = layout;
        this.locks = locks;
        this.queued = new EntryScanner(layout, false);
        this.deadLetters = new EntryScanner(layout, true);
    }

    /**
     * Opens (creating as needed) the queue in {@code settings.directory()} and removes what crashed
     * writers left behind. A {@link QueueException} naming {@code mailtls.queue.dir}, the directory
     * and what to do when it is not a directory, cannot be created or is not writable.
     */
    public static MessageQueue open(QueueSettings settings) throws QueueException {
        return open(settings, Clock.systemUTC());
    }

    /** {@link #open(QueueSettings)} with the clock that dates messages and attempts (tests pass their own). */
    public static MessageQueue open(QueueSettings settings, Clock clock) throws QueueException {
        return start(settings, clock, QueueLayout.prepare(settings.directory()));
    }

    /**
     * Opens an existing queue for the operator's commands, without creating anything: a path that
     * is not a queue directory is a {@link QueueException}. Retry and limit settings are the defaults.
     */
    public static MessageQueue openExisting(Path directory) throws QueueException {
        return start(QueueSettings.builder(directory).build(), Clock.systemUTC(), QueueLayout.existing(directory));
    }

    private static MessageQueue start(QueueSettings settings, Clock clock, QueueLayout layout) throws QueueException {
        MessageLocks locks;
        try {
            locks = MessageLocks.open(layout.lockFile);
        } catch (IOException failed) {
            throw new QueueException(QueueLayout.DIR_KEY + ": the queue directory " + layout.root + ": cannot open "
                    + layout.lockFile + " for locking (" + QueueLayout.describe(failed) + "); it must be writable by"
                    + " the user of every JVM and command that uses the queue", failed);
        }
        MessageQueue queue = new MessageQueue(settings, clock, layout, locks);
        try {
            new Recovery(layout, locks).run();
        } catch (IOException failed) {
            queue.closeQuietly();
            throw new QueueException(QueueLayout.DIR_KEY + ": the queue directory " + layout.root
                    + ": cannot clean up after an earlier crash (" + QueueLayout.describe(failed) + ")", failed);
        }
        return queue;
    }

    public QueueSettings settings() {
        return settings;
    }

    /** The queue directory, absolute. */
    public Path directory() {
        return layout.root;
    }

    /**
     * Stores a message durably and returns it; it is due at once. Returns only when the bytes and
     * the metadata are on disk. {@link QueueFullException} when {@code mailtls.queue.max-size}
     * would be exceeded (nothing is kept); another {@link QueueException} when the disk fails, the
     * queue is closed or {@code body} throws (nothing is kept either). A pending interrupt of the
     * calling thread neither fails the write nor is cleared.
     */
    public QueuedMessage enqueue(Envelope envelope, SmtpDestination destination, String reason, MessageBody body)
            throws IOException {
        ensureOpen();
        Instant now = clock.instant();
        MessageLocks.MessageLock lock = null;
        String id = null;
        for (int tries = 0; lock == null; tries++) {
            if (tries == 100) {
                throw new QueueException("cannot find an unused queue id in " + layout.root + " after 100 tries");
            }
            id = MessageId.next(now);
            lock = locks.tryLock(id);
            if (lock != null && inUse(id)) {
                lock.close();
                lock = null;
            }
        }
        // The bytes go straight to their final name: without metadata they are no message, only an
        // orphan that the next open removes; so one directory sync at the end covers both names.
        Path bodyFile = layout.activeBody(id);
        Path tempMeta = layout.temp(id, QueueLayout.META);
        boolean committed = false;
        try {
            long size;
            try {
                size = DurableFiles.writeNew(bodyFile, body);
            } catch (IOException diskFailure) {
                throw notStored(diskFailure);
            } catch (Exception writerFailure) {
                throw new QueueException("cannot queue the message: writing its bytes failed: " + writerFailure, writerFailure);
            }
            checkLimits(size);
            QueuedMessage message = QueuedMessage.builder(id).envelope(envelope).destination(destination).reason(reason)
                    .queuedAt(now).nextAttempt(now).size(size).build();
            DurableFiles.write(tempMeta, MetadataFormat.write(message));
            // The metadata's name is the commit; the directory sync makes it, and the bytes' name, durable.
            DurableFiles.move(tempMeta, layout.activeMeta(id));
            DurableFiles.syncDirectory(layout.active);
            committed = true;
            queued.remember(message);
            // FINE: the caller logs the decision to queue, with what it knows (the agent adds the Message-ID).
            LOG.fine("mailtls: " + id + ": from=<" + envelope.sender() + ">, size=" + size + ", nrcpt="
                    + envelope.recipients().size() + ", relay=" + destination.relay() + ", queued (" + reason + ")");
            return message;
        } catch (QueueException failed) {
            throw failed;
        } catch (IOException diskFailure) {
            throw notStored(diskFailure);
        } finally {
            if (!committed) {
                // Told "not queued", the caller keeps the message: nothing of it may stay behind to be sent too.
                deleteQuietly(layout.activeMeta(id), bodyFile, tempMeta);
            }
            lock.close();
            if (committed) {
                changed(); // after the unlock, or a woken worker could find the message still locked
            }
        }
    }

    private QueueException notStored(IOException diskFailure) {
        return new QueueException("cannot write the message to the queue in " + layout.root + " ("
                + QueueLayout.describe(diskFailure) + "); it was not queued. Free space there, or give this process"
                + " write access to it", diskFailure);
    }

    private boolean inUse(String id) {
        return Files.exists(layout.activeMeta(id)) || Files.exists(layout.activeBody(id)) || Files.exists(layout.deadMeta(id))
                || Files.exists(layout.deadBody(id)) || Files.exists(layout.temp(id, QueueLayout.META));
    }

    private void checkLimits(long size) throws IOException {
        long maxBytes = settings.maxBytes();
        int maxMessages = settings.maxMessages();
        if (maxBytes == 0 && maxMessages == 0) {
            return;
        }
        long[] tally = queued.tally();
        long messages = tally[0];
        long bytes = tally[1];
        String limit = " (" + ConfigLoader.QUEUE_MAX_SIZE + " = " + SizeSyntax.format(maxBytes, maxMessages) + ")";
        if (maxMessages > 0 && messages >= maxMessages) {
            throw new QueueFullException(ConfigLoader.QUEUE_MAX_SIZE + ": the queue in " + layout.root + " is full: it holds "
                    + messages + " messages, the most allowed" + limit + "; the message was not queued");
        }
        if (maxBytes > 0 && bytes + size > maxBytes) {
            throw new QueueFullException(ConfigLoader.QUEUE_MAX_SIZE + ": the queue in " + layout.root + " is full: it holds "
                    + SizeSyntax.formatBytes(bytes) + ", and this message's " + SizeSyntax.formatBytes(size)
                    + " would exceed the byte limit" + limit + "; the message was not queued");
        }
    }

    /** The queued messages (not dead, not corrupt), oldest first. */
    public List<QueuedMessage> messages() throws IOException {
        ensureOpen();
        return queued.scan().messages;
    }

    /** The messages in {@code dead/}, oldest first. */
    public List<QueuedMessage> dead() throws IOException {
        ensureOpen();
        return deadLetters.scan().messages;
    }

    /** Entries that cannot be read, in the queue or in {@code dead/}; each is logged once. */
    public List<CorruptEntry> corrupted() throws IOException {
        ensureOpen();
        List<CorruptEntry> corrupt = new ArrayList<>(queued.scan().corrupt);
        corrupt.addAll(deadLetters.scan().corrupt);
        return corrupt;
    }

    /** The message with this id, queued or dead; empty when there is none (or it is corrupt). */
    public Optional<QueuedMessage> find(String id) throws IOException {
        ensureOpen();
        if (!MessageId.isValid(id)) {
            return Optional.empty();
        }
        EntryScanner.Entry entry = queued.read(id);
        if (entry == null) {
            entry = deadLetters.read(id);
        }
        return entry == null ? Optional.<QueuedMessage>empty() : Optional.ofNullable(entry.message);
    }

    /** Whether a thread or JVM holds message {@code id} right now: delivering or changing it. */
    public boolean isClaimed(String id) throws IOException {
        ensureOpen();
        return MessageId.isValid(id) && locks.isLocked(id);
    }

    /** {@link #claimDue(Instant, Predicate)} for any message. */
    public Optional<Claim> claimDue(Instant now) throws IOException {
        return claimDue(now, message -> true);
    }

    /**
     * The oldest message due at {@code now} that {@code eligible} accepts and no thread or JVM has
     * claimed, locked for the caller; empty when there is none.
     */
    public Optional<Claim> claimDue(Instant now, Predicate<QueuedMessage> eligible) throws IOException {
        ensureOpen();
        for (QueuedMessage candidate : queued.scan().messages) {
            if (!candidate.nextAttempt().isAfter(now) && eligible.test(candidate)) {
                Optional<Claim> claim = claim(candidate.id(), now, eligible);
                if (claim.isPresent()) {
                    return claim;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Message {@code id}, locked for the caller if it is still queued, due at {@code now}, accepted
     * by {@code eligible} and claimed by no one else; empty otherwise. For a caller that works from
     * one listing ({@link #messages()}) instead of scanning the directory for every message.
     */
    public Optional<Claim> claim(String id, Instant now, Predicate<QueuedMessage> eligible) throws IOException {
        ensureOpen();
        if (!MessageId.isValid(id)) {
            return Optional.empty();
        }
        MessageLocks.MessageLock lock = locks.tryLock(id);
        if (lock == null) {
            return Optional.empty();
        }
        boolean handedOver = false;
        try {
            QueuedMessage current = lockedMessage(id);
            if (current != null && !current.nextAttempt().isAfter(now) && eligible.test(current)) {
                handedOver = true;
                return Optional.of(new Claim(this, current, lock));
            }
            return Optional.empty();
        } finally {
            if (!handedOver) {
                lock.close();
            }
        }
    }

    /** The queued message {@code id} as on disk, read under its lock; {@code null} when gone, dead or corrupt. */
    private QueuedMessage lockedMessage(String id) throws IOException {
        if (Files.exists(layout.deadMeta(id))) {
            if (Files.exists(layout.activeMeta(id))) {
                Recovery.finishMoveToDead(layout, id); // a JVM died half-way through; the move was decided
                queued.forget(id);
            }
            return null;
        }
        EntryScanner.Entry entry = queued.readFresh(id);
        return entry == null ? null : entry.message;
    }

    /** Makes message {@code id} due now; false when no such message is queued. One being delivered counts as done. */
    public boolean retryNow(String id) throws IOException {
        ensureOpen();
        if (!MessageId.isValid(id)) {
            return false;
        }
        try (MessageLocks.MessageLock lock = locks.tryLock(id)) {
            if (lock == null) {
                return Files.exists(layout.activeMeta(id)); // being tried right now
            }
            QueuedMessage message = lockedMessage(id);
            if (message == null) {
                return false;
            }
            Instant now = clock.instant();
            if (!message.nextAttempt().isAfter(now)) {
                return true;
            }
            writeQueued(message.toBuilder().nextAttempt(now).build());
            LOG.info("mailtls: " + id + ": due now (retry requested)");
        }
        changed(); // after the unlock, as for an enqueue
        return true;
    }

    /** Makes every queued message due now; the number that were not due yet. */
    public int retryAllNow() throws IOException {
        ensureOpen();
        int count = 0;
        Instant now = clock.instant();
        for (QueuedMessage message : queued.scan().messages) {
            if (message.nextAttempt().isAfter(now) && retryNow(message.id())) {
                count++;
            }
        }
        return count;
    }

    /**
     * Removes message {@code id}, queued, dead or corrupt; false when there is none. A
     * {@link QueueException} when it is being delivered right now (try again after the attempt).
     */
    public boolean delete(String id) throws IOException {
        ensureOpen();
        if (!MessageId.isValid(id)) {
            return false;
        }
        try (MessageLocks.MessageLock lock = locks.tryLock(id)) {
            if (lock == null) {
                throw new QueueException("message " + id + " is being delivered or changed right now; try again when"
                        + " the attempt is over");
            }
            // The metadata first: without it, the rest is an orphan that no one sends.
            boolean found = Files.deleteIfExists(layout.activeMeta(id)) | Files.deleteIfExists(layout.deadMeta(id));
            DurableFiles.syncDirectory(layout.active);
            DurableFiles.syncDirectory(layout.dead);
            found |= Files.deleteIfExists(layout.activeBody(id)) | Files.deleteIfExists(layout.deadBody(id));
            DurableFiles.syncDirectory(layout.active);
            DurableFiles.syncDirectory(layout.dead);
            queued.forget(id);
            deadLetters.forget(id);
            if (found) {
                LOG.info("mailtls: " + id + ": removed by the operator");
            }
            return found;
        }
    }

    /** Counts and sizes now. */
    public QueueStats stats() throws IOException {
        ensureOpen();
        EntryScanner.Scan active = queued.scan();
        EntryScanner.Scan dead = deadLetters.scan();
        long bytes = 0;
        Instant oldest = null;
        for (QueuedMessage message : active.messages) {
            bytes += message.size();
            if (oldest == null || message.queuedAt().isBefore(oldest)) {
                oldest = message.queuedAt();
            }
        }
        Duration age = oldest == null ? null : Duration.between(oldest, clock.instant());
        if (age != null && age.isNegative()) {
            age = Duration.ZERO;
        }
        return new QueueStats(active.messages.size(), bytes, age, dead.messages.size(), active.corrupt.size() + dead.corrupt.size());
    }

    /**
     * Closes this instance: every later call fails with a {@link QueueException} (an enqueue then
     * is a temporary failure for the caller, not a lost message). Claims and enqueues in progress
     * keep their locks until they end, so no other JVM can take their message meanwhile.
     */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            locks.close();
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // Already failing with a better message.
        }
    }

    @Override
    public String toString() {
        return "MessageQueue{" + layout.root + "}";
    }

    // --- for Claim and QueueWorker ---

    boolean isOpen() {
        return !closed.get();
    }

    Clock clock() {
        return clock;
    }

    /** Runs {@code listener} after every enqueue or retry request of this instance (to wake a worker). */
    void addListener(Runnable listener) {
        listeners.add(listener);
    }

    void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    InputStream openBody(QueuedMessage message) throws IOException {
        Path body = queued.bodyOf(message.id());
        if (body == null) {
            throw new QueueException("the bytes of message " + message.id() + " are missing from " + layout.active);
        }
        return Files.newInputStream(body);
    }

    void removeDelivered(QueuedMessage message) throws IOException {
        String id = message.id();
        Files.deleteIfExists(layout.activeMeta(id));
        DurableFiles.syncDirectory(layout.active);
        queued.forget(id);
        Files.deleteIfExists(layout.activeBody(id));
        Files.deleteIfExists(layout.deadBody(id));
        DurableFiles.syncDirectory(layout.active);
    }

    /** Records a deferral; true when it moved the message to {@code dead/} because it expired. */
    boolean recordDeferral(QueuedMessage message, String reason, Instant now) throws IOException {
        QueuedMessage.Builder updated = message.toBuilder().addAttempt(new Attempt(now, "deferred: " + reason));
        Duration age = Duration.between(message.queuedAt(), now);
        if (age.compareTo(settings.maxAge()) >= 0) {
            moveToDead(updated.build(), "expired: still undelivered after " + DurationSyntax.format(settings.maxAge().toMillis())
                    + " (" + ConfigLoader.QUEUE_MAX_AGE + "); last attempt: " + reason, now);
            return true;
        }
        int failures = message.attempts().size() + 1;
        writeQueued(updated.nextAttempt(now.plus(settings.retry().delayAfter(failures))).build());
        return false;
    }

    void recordFailure(QueuedMessage message, String reason) throws IOException {
        Instant now = clock.instant();
        moveToDead(message.toBuilder().addAttempt(new Attempt(now, "failed: " + reason)).build(), reason, now);
    }

    /** Gives up a message that was never attempted: to {@code dead/} with {@code reason}, no attempt recorded. */
    void recordExpiry(QueuedMessage message, String reason) throws IOException {
        moveToDead(message, reason, clock.instant());
    }

    private void writeQueued(QueuedMessage message) throws IOException {
        DurableFiles.replace(layout.temp(message.id(), QueueLayout.META), layout.activeMeta(message.id()),
                MetadataFormat.write(message));
        queued.remember(message);
    }

    /**
     * Moves a message to {@code dead/} in three steps, each durable before the next: the bytes, then
     * the dead metadata, then the removal of the queued metadata. At every point a crash leaves
     * something {@link Recovery} completes or rolls back, and the message is never lost.
     */
    private void moveToDead(QueuedMessage message, String reason, Instant now) throws IOException {
        String id = message.id();
        if (Files.exists(layout.activeBody(id))) {
            DurableFiles.move(layout.activeBody(id), layout.deadBody(id));
            DurableFiles.syncDirectory(layout.dead);
        }
        DurableFiles.replace(layout.temp(id, QueueLayout.META), layout.deadMeta(id),
                MetadataFormat.write(message.toBuilder().dead(now, reason).build()));
        Files.deleteIfExists(layout.activeMeta(id));
        DurableFiles.syncDirectory(layout.active);
        queued.forget(id);
        deadLetters.forget(id);
    }

    private void changed() {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException failed) {
                LOG.log(Level.WARNING, "mailtls: queue listener failed", failed);
            }
        }
    }

    private void ensureOpen() throws QueueException {
        if (closed.get()) {
            throw new QueueException("the queue in " + layout.root + " is closed (the agent is stopping, or was attached"
                    + " again); nothing was queued or changed");
        }
    }

    private static void deleteQuietly(Path... files) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // The next open removes orphans; nothing here is a message anyone was told is queued.
            }
        }
    }
}
