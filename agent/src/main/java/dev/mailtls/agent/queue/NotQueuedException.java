package dev.mailtls.agent.queue;

/**
 * A deferred message that could not be stored (queue full, disk failure): the application must be
 * told, as without a queue, with a temporary failure. The message is the complete SMTP-style text,
 * starting with {@code 454 4.7.x}: the original deferral and why the queue did not take it.
 */
public final class NotQueuedException extends Exception {
    private static final long serialVersionUID = 1L;

    NotQueuedException(String text, Throwable cause) {
        super(text, cause);
    }
}
