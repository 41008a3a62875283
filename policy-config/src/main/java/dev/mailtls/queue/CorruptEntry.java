package dev.mailtls.queue;

import java.nio.file.Path;

/**
 * A queue entry that cannot be read: an unparseable or truncated {@code ID.meta}, or a message
 * whose bytes are missing or of the wrong size. Delivery skips it (it is logged once per queue
 * instance); {@code queue list} shows it; {@code queue delete} removes it. Immutable.
 */
public final class CorruptEntry {
    private final String id;
    private final Path file;
    private final String problem;

    CorruptEntry(String id, Path file, String problem) {
        this.id = id;
        this.file = file;
        this.problem = problem;
    }

    public String id() {
        return id;
    }

    /** The file that is wrong, for the operator to inspect. */
    public Path file() {
        return file;
    }

    /** What is wrong with it. */
    public String problem() {
        return problem;
    }

    @Override
    public String toString() {
        return id + ": " + file + ": " + problem;
    }
}
