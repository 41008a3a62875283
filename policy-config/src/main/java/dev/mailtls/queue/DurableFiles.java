package dev.mailtls.queue;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The write discipline of the store: a file is written under a temporary name, forced to disk,
 * then renamed into place atomically, and the directory that received it is forced too, so that
 * after a crash a file is either absent or complete and its name survives.
 *
 * <p>Every write and sync runs with the calling thread's interrupt flag cleared (and restored
 * after): a {@link FileChannel} used by an interrupted thread closes itself and fails with
 * {@code ClosedByInterruptException}, so an application thread that merely carries a stale
 * interrupt (a cancelled task of a pool, say) would otherwise have its message refused, and a
 * worker its outcome lost.
 */
final class DurableFiles {
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<OpenOption> CREATE_NEW = options(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    private static final Set<OpenOption> REWRITE = options(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);

    private DurableFiles() {
    }

    /** Writes {@code body} to a new file, forces it to disk and returns its length. */
    static long writeNew(Path file, MessageBody body) throws Exception {
        return uninterrupted(() -> writeNewNow(file, body));
    }

    private static long writeNewNow(Path file, MessageBody body) throws Exception {
        try (FileChannel channel = FileChannel.open(file, CREATE_NEW, privateFile())) {
            CountingStream out = new CountingStream(new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024));
            body.writeTo(out);
            out.flush();
            channel.force(true);
            return out.count;
        }
    }

    /** Writes {@code bytes} to {@code temp} (replacing a stale leftover) and forces it to disk. */
    static void write(Path temp, byte[] bytes) throws IOException {
        uninterrupted(() -> {
            writeNow(temp, bytes);
            return null;
        });
    }

    private static void writeNow(Path temp, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, REWRITE, privateFile())) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    /**
     * Replaces {@code target} with {@code bytes} atomically: written to {@code temp}, forced, renamed
     * over {@code target}, and {@code target}'s directory forced. A reader sees the old or the new
     * file, never a mix; after a crash the old or the new one is there.
     */
    static void replace(Path temp, Path target, byte[] bytes) throws IOException {
        write(temp, bytes);
        move(temp, target);
        syncDirectory(target.getParent());
    }

    /**
     * Permissions for a new queue file: readable by its owner only (0600), since it holds mail.
     * Nothing where the file system has no POSIX permissions.
     */
    static FileAttribute<?>[] privateFile() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    /** Permissions for a new queue directory: its owner's only (0700). */
    static FileAttribute<?>[] privateDirectory() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }

    private static Set<OpenOption> options(OpenOption... options) {
        return Collections.unmodifiableSet(new HashSet<>(Arrays.asList(options)));
    }

    /** Renames atomically; an existing {@code target} is replaced (POSIX rename). */
    static void move(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Forces {@code directory}'s entries (new, renamed, removed names) to disk. Windows cannot open
     * a directory for this and persists renames in its journal anyway.
     */
    static void syncDirectory(Path directory) throws IOException {
        if (WINDOWS) {
            return;
        }
        uninterrupted(() -> {
            try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                channel.force(true);
            }
            return null;
        });
    }

    /** Runs {@code work} with the interrupt flag cleared, then sets it again if it was set. */
    private static <T, E extends Exception> T uninterrupted(FileWork<T, E> work) throws E {
        boolean interrupted = Thread.interrupted();
        try {
            return work.run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** File work that may throw {@code E}. */
    private interface FileWork<T, E extends Exception> {
        T run() throws E;
    }

    /** Counts what passes through, without closing the file when the message writer closes its stream. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
