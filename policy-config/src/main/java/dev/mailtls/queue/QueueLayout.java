package dev.mailtls.queue;

import dev.mailtls.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The queue directory's layout, and the start-up checks that it is usable.
 * <pre>
 * DIR/queue.lock     one locked byte per message being written, delivered or changed (see MessageLocks)
 * DIR/tmp/           metadata being written; leftovers of a crash are removed at the next open
 * DIR/active/ID.eml  the message's exact bytes (written first, under this name)
 * DIR/active/ID.meta envelope, destination, reason, attempts (MetadataFormat); its presence is
 *                    what makes a message accepted, so it is written last and removed first
 * DIR/dead/ID.eml, ID.meta   expired or permanently refused messages, with dead-at and dead-reason
 * </pre>
 */
final class QueueLayout {
    static final String DIR_KEY = ConfigLoader.QUEUE_DIR;
    static final String META = ".meta";
    static final String BODY = ".eml";

    final Path root;
    final Path tmp;
    final Path active;
    final Path dead;
    final Path lockFile;

    private QueueLayout(Path root) {
        this.root = root;
        this.tmp = root.resolve("tmp");
        this.active = root.resolve("active");
        this.dead = root.resolve("dead");
        this.lockFile = root.resolve("queue.lock");
    }

    /**
     * Creates the directory and its sub-directories as needed and checks that this process can
     * write there; a {@link QueueException} naming {@code mailtls.queue.dir}, the directory and
     * what to do otherwise.
     */
    static QueueLayout prepare(Path directory) throws QueueException {
        Path root = directory.toAbsolutePath().normalize();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw problem(root, "is not a directory; point " + DIR_KEY + " at a directory (it is created if missing)", null);
        }
        QueueLayout layout = new QueueLayout(root);
        try {
            Files.createDirectories(root, DurableFiles.privateDirectory());
        } catch (IOException failed) {
            throw problem(root, "does not exist and cannot be created (" + describe(failed) + "); create it for the"
                    + " application's user, or point " + DIR_KEY + " elsewhere", failed);
        }
        if (!Files.isWritable(root)) {
            throw notWritable(root, null);
        }
        try {
            for (Path sub : new Path[] {layout.tmp, layout.active, layout.dead}) {
                try {
                    Files.createDirectory(sub, DurableFiles.privateDirectory());
                } catch (FileAlreadyExistsException exists) {
                    if (!Files.isDirectory(sub)) {
                        throw exists; // a file in the way; another JVM creating it at the same moment is fine
                    }
                }
            }
            Path probe = Files.createTempFile(layout.tmp, "probe", ".tmp");
            Files.delete(probe);
        } catch (IOException failed) {
            throw notWritable(root, failed);
        }
        return layout;
    }

    /**
     * An existing queue directory, for the operator's commands: nothing is created, so a mistyped
     * path is an error instead of a new empty queue.
     */
    static QueueLayout existing(Path directory) throws QueueException {
        QueueLayout layout = new QueueLayout(directory.toAbsolutePath().normalize());
        if (!Files.isDirectory(layout.active) || !Files.isDirectory(layout.dead) || !Files.isDirectory(layout.tmp)
                || !Files.isRegularFile(layout.lockFile)) {
            throw new QueueException(layout.root + " is not a MailTLS Guard queue directory (no active/, dead/, tmp/"
                    + " and queue.lock inside); give the directory of " + DIR_KEY);
        }
        return layout;
    }

    private static QueueException notWritable(Path root, IOException cause) {
        return problem(root, "is not writable by this process (user " + System.getProperty("user.name") + ")"
                + (cause == null ? "" : ": " + describe(cause)) + "; give that user write access to it (and its"
                + " tmp/, active/, dead/ and queue.lock), or point " + DIR_KEY + " at a writable directory", cause);
    }

    private static QueueException problem(Path root, String what, IOException cause) {
        return new QueueException(DIR_KEY + ": the queue directory " + root + " " + what, cause);
    }

    /** An I/O failure in a few words: {@code AccessDeniedException: /var/spool/mailtls/tmp}. */
    static String describe(IOException failure) {
        if (failure instanceof FileSystemException) {
            FileSystemException fs = (FileSystemException) failure;
            return failure.getClass().getSimpleName() + ": " + fs.getFile()
                    + (fs.getReason() == null ? "" : ": " + fs.getReason());
        }
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    Path activeMeta(String id) {
        return active.resolve(id + META);
    }

    Path activeBody(String id) {
        return active.resolve(id + BODY);
    }

    Path deadMeta(String id) {
        return dead.resolve(id + META);
    }

    Path deadBody(String id) {
        return dead.resolve(id + BODY);
    }

    Path temp(String id, String suffix) {
        return tmp.resolve(id + suffix + ".tmp");
    }

    /** The id a file name in active/, dead/ or tmp/ belongs to, or {@code null} for a stranger. */
    static String idOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.indexOf('.');
        String id = dot < 0 ? name : name.substring(0, dot);
        return MessageId.isValid(id) ? id : null;
    }
}
