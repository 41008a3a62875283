package dev.mailtls.queue;

import java.io.IOException;

/**
 * The queue cannot do what was asked: its directory is missing, not writable or not a directory,
 * a file could not be written durably, or a message is being delivered by someone else. The
 * message says which directory or message, what went wrong and what to do.
 */
public class QueueException extends IOException {
    private static final long serialVersionUID = 1L;

    public QueueException(String message) {
        super(message);
    }

    public QueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
