package dev.mailtls.queue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Per-message locks that hold across threads and JVMs: one byte of the queue's {@code queue.lock}
 * file per message id (at an offset hashed from the id), locked with {@link FileChannel#tryLock}.
 * The operating system drops a dead process's locks, so a crashed JVM never leaves a message
 * claimed.
 *
 * <p>Two JVM-level traps shape this class. A JVM holds file locks for the whole process, and
 * asking for an overlapping one in the same JVM throws {@link OverlappingFileLockException}
 * instead of answering "taken"; so every claim is first entered in an in-JVM set. And POSIX drops
 * all of a process's locks on a file when any descriptor of that file is closed; so each JVM keeps
 * exactly one channel per lock file, shared by every queue opened on that directory and closed
 * only when the last of them is closed and the last lock taken through them is released: a claim
 * or an enqueue still in progress when its queue is closed keeps its lock until it ends, so no
 * other JVM can take the message from under it.
 */
final class MessageLocks implements Closeable {
    private static final Map<Path, MessageLocks> OPEN = new HashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final Set<String> held = new HashSet<>();
    private int users;

    private MessageLocks(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** The shared locks of {@code file} (created if missing); {@link #close()} when done. */
    static MessageLocks open(Path file) throws IOException {
        // Keyed by the real path of the directory, known before the channel is opened: opening and
        // closing a second channel on the same file would drop this JVM's locks on it.
        Path key = file.toAbsolutePath().getParent().toRealPath().resolve(file.getFileName());
        synchronized (OPEN) {
            MessageLocks locks = OPEN.get(key);
            if (locks == null) {
                FileChannel channel = FileChannel.open(key, new HashSet<>(Arrays.asList(StandardOpenOption.CREATE,
                        StandardOpenOption.READ, StandardOpenOption.WRITE)), DurableFiles.privateFile());
                locks = new MessageLocks(key, channel);
                OPEN.put(key, locks);
            }
            locks.users++;
            return locks;
        }
    }

    /** The lock of message {@code id}, or {@code null} when a thread of this or another JVM holds it. */
    MessageLock tryLock(String id) throws IOException {
        synchronized (held) {
            if (!held.add(id)) {
                return null;
            }
        }
        FileLock lock = null;
        try {
            lock = channel.tryLock(offset(id), 1, false);
        } catch (OverlappingFileLockException sameJvm) {
            // Another id of this JVM hashed to the same byte: taken, as far as this id can tell.
            lock = null;
        } catch (IOException | RuntimeException failed) {
            forget(id);
            throw failed;
        }
        if (lock == null) {
            forget(id);
            return null;
        }
        return new MessageLock(id, lock);
    }

    /** Whether some thread or JVM holds the lock of {@code id} right now (for the operator's listing). */
    boolean isLocked(String id) throws IOException {
        MessageLock lock = tryLock(id);
        if (lock == null) {
            return true;
        }
        lock.close();
        return false;
    }

    private void forget(String id) {
        synchronized (OPEN) {
            synchronized (held) {
                held.remove(id);
            }
            closeIfUnused();
        }
    }

    /** A byte offset from the id: FNV-1a, kept positive and clear of the top of the range. */
    static long offset(String id) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            hash ^= id.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash & 0x3FFF_FFFF_FFFF_FFFFL;
    }

    /** One queue is done with the locks; the channel closes once no queue uses it and no lock is held. */
    @Override
    public void close() throws IOException {
        synchronized (OPEN) {
            users--;
            closeIfUnused();
        }
    }

    /** Caller holds {@code OPEN}: a queue opened meanwhile must not get a second channel on the file. */
    private void closeIfUnused() {
        boolean unused;
        synchronized (held) {
            unused = users <= 0 && held.isEmpty();
        }
        if (unused && OPEN.get(file) == this) {
            OPEN.remove(file);
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing releases the locks whatever close() reports; there is nothing left to keep.
            }
        }
    }

    @Override
    public String toString() {
        return "MessageLocks{" + file + "}";
    }

    /** One held message lock; {@link #close()} releases it. */
    final class MessageLock implements Closeable {
        private final String id;
        private final FileLock lock;
        private boolean released;

        private MessageLock(String id, FileLock lock) {
            this.id = id;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
            }
            try {
                if (channel.isOpen()) {
                    lock.release();
                }
            } finally {
                forget(id);
            }
        }
    }
}
