package dev.mailtls.queue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Puts a queue directory back in order after a crash, when a queue is opened. Every file of an
 * unfinished operation is recognised by its message's lock being free (a writer holds it until
 * done, and a dead JVM's locks are gone): temporary files are removed; message bytes without
 * metadata (an enqueue that never committed, or a delivery or deletion half done) are removed; a
 * move to {@code dead/} is completed when its dead metadata was written, and rolled back otherwise.
 * A message anyone was told is queued always survives.
 */
final class Recovery {
    private static final Logger LOG = Logger.getLogger("dev.mailtls.queue");

    private final QueueLayout layout;
    private final MessageLocks locks;
    private int repaired;

    Recovery(QueueLayout layout, MessageLocks locks) {
        this.layout = layout;
        this.locks = locks;
    }

    void run() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.tmp)) {
            for (Path file : files) {
                String id = QueueLayout.idOf(file);
                if (id != null) {
                    try (MessageLocks.MessageLock lock = locks.tryLock(id)) {
                        if (lock != null && Files.deleteIfExists(file)) {
                            repaired++;
                        }
                    }
                }
            }
        }
        TreeSet<String> ids = ids(layout.active);
        ids.addAll(ids(layout.dead));
        for (String id : ids) {
            try (MessageLocks.MessageLock lock = locks.tryLock(id)) {
                if (lock != null) {
                    repair(id);
                }
            }
        }
        if (repaired > 0) {
            DurableFiles.syncDirectory(layout.active);
            DurableFiles.syncDirectory(layout.dead);
            LOG.info("mailtls: queue " + layout.root + ": cleaned up " + repaired + " leftovers of interrupted operations");
        }
    }

    private void repair(String id) throws IOException {
        boolean meta = present(layout.activeMeta(id));
        boolean body = present(layout.activeBody(id));
        boolean deadMeta = present(layout.deadMeta(id));
        boolean deadBody = present(layout.deadBody(id));
        if (meta && deadMeta) {
            finishMoveToDead(layout, id);
            repaired++;
        } else if (meta && !body && deadBody) {
            DurableFiles.move(layout.deadBody(id), layout.activeBody(id)); // the move to dead/ had not been decided yet
            repaired++;
        } else if (!meta && body) {
            if (deadMeta && !deadBody) {
                DurableFiles.move(layout.activeBody(id), layout.deadBody(id));
            } else {
                Files.delete(layout.activeBody(id)); // never committed, or already delivered or deleted
            }
            repaired++;
        } else if (!meta && !deadMeta && deadBody) {
            Files.delete(layout.deadBody(id)); // a deletion from dead/ half done
            repaired++;
        }
    }

    /** Completes a move to {@code dead/} whose dead metadata is written; the caller holds the message's lock. */
    static void finishMoveToDead(QueueLayout layout, String id) throws IOException {
        if (present(layout.activeBody(id))) {
            if (present(layout.deadBody(id))) {
                Files.delete(layout.activeBody(id));
            } else {
                DurableFiles.move(layout.activeBody(id), layout.deadBody(id));
            }
            DurableFiles.syncDirectory(layout.dead);
        }
        Files.deleteIfExists(layout.activeMeta(id));
        DurableFiles.syncDirectory(layout.active);
    }

    /**
     * Whether {@code file} exists; an error other than "no such file" is thrown, not taken for
     * absence as {@link Files#exists} takes it: recovery deletes message bytes whose metadata is
     * absent, and a metadata file that merely could not be looked at (an I/O error) is a message.
     */
    private static boolean present(Path file) throws IOException {
        try {
            Files.readAttributes(file, BasicFileAttributes.class);
            return true;
        } catch (NoSuchFileException absent) {
            return false;
        }
    }

    /** Ids of every file in {@code directory} named like a queue file. */
    private static TreeSet<String> ids(Path directory) throws IOException {
        TreeSet<String> ids = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String id = QueueLayout.idOf(file);
                if (id != null) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }
}
