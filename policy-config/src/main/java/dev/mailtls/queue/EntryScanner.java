package dev.mailtls.queue;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads the {@code ID.meta} files of one area ({@code active/} or {@code dead/}), each checked
 * against its {@code ID.eml}. A parsed entry is cached until its file changes (another inode,
 * modification time or size: every change is a rename of a new file), so the worker's frequent
 * scans read only what changed. A corrupt entry is logged once per change and reported, never
 * thrown: the other messages keep working.
 */
final class EntryScanner {
    private static final Logger LOG = Logger.getLogger("dev.mailtls.queue");

    private final QueueLayout layout;
    private final boolean deadArea;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    EntryScanner(QueueLayout layout, boolean deadArea) {
        this.layout = layout;
        this.deadArea = deadArea;
    }

    /** Every entry of the area, in id (queue time) order. */
    Scan scan() throws IOException {
        Scan scan = new Scan();
        Set<String> seen = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(deadArea ? layout.dead : layout.active,
                "*" + QueueLayout.META)) {
            for (Path file : files) {
                String id = QueueLayout.idOf(file);
                if (id == null || !file.getFileName().toString().equals(id + QueueLayout.META)) {
                    continue; // not ours: never named by the store
                }
                Entry entry = read(id);
                if (entry != null) {
                    seen.add(id);
                    scan.add(entry);
                }
            }
        }
        cache.keySet().retainAll(seen);
        scan.sort();
        return scan;
    }

    /**
     * How many entries the area holds and the bytes of its readable messages, cheaply: names are
     * listed, but a known message's size is taken from the cache unchecked, since a message's
     * bytes never change. For the size limit, which is a soft one anyway.
     */
    long[] tally() throws IOException {
        long count = 0;
        long bytes = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(deadArea ? layout.dead : layout.active,
                "*" + QueueLayout.META)) {
            for (Path file : files) {
                String id = QueueLayout.idOf(file);
                if (id == null || !file.getFileName().toString().equals(id + QueueLayout.META)) {
                    continue;
                }
                Cached known = cache.get(id);
                Entry entry = known != null ? known.entry : read(id);
                if (entry != null) {
                    count++;
                    bytes += entry.message == null ? 0 : entry.message.size();
                }
            }
        }
        return new long[] {count, bytes};
    }

    /** The entry of {@code id}, or {@code null} when it has none in this area; from the cache when unchanged. */
    Entry read(String id) throws IOException {
        return read(id, true);
    }

    /** The entry of {@code id} as on disk now, for decisions taken under its lock. */
    Entry readFresh(String id) throws IOException {
        return read(id, false);
    }

    private Entry read(String id, boolean cached) throws IOException {
        Path file = deadArea ? layout.deadMeta(id) : layout.activeMeta(id);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            cache.remove(id);
            return null;
        } catch (IOException unreadable) {
            // One entry the file system will not show must not stop the listing of all the others.
            Cached previous = cache.get(id);
            Entry entry = unreadable(id, file, unreadable);
            if (previous == null || previous.entry.corrupt == null) {
                report(entry.corrupt);
            }
            cache.put(id, new Cached(null, entry)); // matches nothing: read again next time
            return entry;
        }
        Cached previous = cache.get(id);
        if (cached && previous != null && previous.matches(attributes)) {
            return previous.entry;
        }
        Entry entry;
        try {
            entry = parse(id, file, Files.readAllBytes(file));
        } catch (NoSuchFileException gone) {
            cache.remove(id);
            return null;
        } catch (ClosedByInterruptException interrupted) {
            throw interrupted; // this thread's interrupt, not the file's fault
        } catch (IOException unreadable) {
            entry = unreadable(id, file, unreadable);
        }
        if (entry == null) {
            cache.remove(id);
            return null;
        }
        boolean reported = previous != null && previous.matches(attributes) && previous.entry.corrupt != null;
        if (entry.corrupt != null && !reported) {
            report(entry.corrupt);
        }
        cache.put(id, new Cached(attributes, entry));
        return entry;
    }

    /** A metadata file that is there but cannot be read (no permission, an I/O error, a directory in its place). */
    private Entry unreadable(String id, Path file, IOException failure) {
        return Entry.corrupt(new CorruptEntry(id, file, "cannot be read (" + QueueLayout.describe(failure) + ")"));
    }

    private void report(CorruptEntry corrupt) {
        LOG.log(Level.SEVERE, "mailtls: {0}: corrupt queue entry skipped: {1}: {2}; inspect it, then remove it with"
                + " \"queue delete {3} {0}\"", new Object[] {corrupt.id(), corrupt.file(), corrupt.problem(), layout.root});
    }

    /**
     * Caches a message this instance just wrote, so that its own scans need not read it back. Only
     * an optimisation: when the file cannot be looked at, the next scan reads it.
     */
    void remember(QueuedMessage message) {
        Path file = deadArea ? layout.deadMeta(message.id()) : layout.activeMeta(message.id());
        try {
            cache.put(message.id(), new Cached(Files.readAttributes(file, BasicFileAttributes.class), Entry.message(message)));
        } catch (IOException unknown) {
            cache.remove(message.id());
        }
    }

    void forget(String id) {
        cache.remove(id);
    }

    private Entry parse(String id, Path file, byte[] bytes) throws IOException {
        QueuedMessage message;
        try {
            message = MetadataFormat.read(bytes);
        } catch (IllegalArgumentException malformed) {
            return Entry.corrupt(new CorruptEntry(id, file, "unreadable: " + malformed.getMessage()));
        }
        if (!message.id().equals(id)) {
            return Entry.corrupt(new CorruptEntry(id, file, "holds id " + message.id() + ", not the id of its name"));
        }
        if (message.deadAt().isPresent() != deadArea) {
            return Entry.corrupt(new CorruptEntry(id, file, deadArea ? "has no dead-at, yet is in dead/" : "has dead-at, yet is in active/"));
        }
        Path body = bodyOf(id);
        long size = body == null ? -1 : sizeOf(body);
        if (size < 0) {
            if (!Files.exists(file)) {
                return null; // removed while being read: delivered or deleted
            }
            return Entry.corrupt(new CorruptEntry(id, file, "the message bytes (" + id + QueueLayout.BODY + ") are missing"));
        }
        if (size != message.size()) {
            return Entry.corrupt(new CorruptEntry(id, body, "holds " + size + " bytes, but " + id + QueueLayout.META
                    + " says " + message.size() + ": truncated or changed"));
        }
        return Entry.message(message);
    }

    /** The size of {@code body}, or -1 when it is gone: another thread or JVM may deliver the message meanwhile. */
    private static long sizeOf(Path body) throws IOException {
        try {
            return Files.size(body);
        } catch (NoSuchFileException gone) {
            return -1;
        }
    }

    /**
     * The message bytes of {@code id}: in the area's own place, or for a queued message also in
     * {@code dead/} while it is being moved there.
     */
    Path bodyOf(String id) {
        Path own = deadArea ? layout.deadBody(id) : layout.activeBody(id);
        if (Files.exists(own)) {
            return own;
        }
        Path moving = layout.deadBody(id);
        return !deadArea && Files.exists(moving) ? moving : null;
    }

    /** A readable message or a corrupt entry. */
    static final class Entry {
        final QueuedMessage message;
        final CorruptEntry corrupt;

        private Entry(QueuedMessage message, CorruptEntry corrupt) {
            this.message = message;
            this.corrupt = corrupt;
        }

        static Entry message(QueuedMessage message) {
            return new Entry(message, null);
        }

        static Entry corrupt(CorruptEntry corrupt) {
            return new Entry(null, corrupt);
        }
    }

    /** The result of one scan. */
    static final class Scan {
        final List<QueuedMessage> messages = new ArrayList<>();
        final List<CorruptEntry> corrupt = new ArrayList<>();

        void add(Entry entry) {
            if (entry.message != null) {
                messages.add(entry.message);
            } else {
                corrupt.add(entry.corrupt);
            }
        }

        void sort() {
            messages.sort((a, b) -> a.id().compareTo(b.id()));
            corrupt.sort((a, b) -> a.id().compareTo(b.id()));
        }
    }

    private static final class Cached {
        final Object fileKey;
        final FileTime modified;
        final long size;
        final Entry entry;

        /** {@code attributes} null: a file that could not be looked at, which is read again every time. */
        Cached(BasicFileAttributes attributes, Entry entry) {
            this.fileKey = attributes == null ? null : attributes.fileKey();
            this.modified = attributes == null ? null : attributes.lastModifiedTime();
            this.size = attributes == null ? -1 : attributes.size();
            this.entry = entry;
        }

        boolean matches(BasicFileAttributes attributes) {
            // Every change is a new file (rename), so a new inode; without file keys (some platforms) nothing is reused.
            return fileKey != null && fileKey.equals(attributes.fileKey())
                    && modified.equals(attributes.lastModifiedTime()) && size == attributes.size();
        }
    }
}
