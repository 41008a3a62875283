package dev.mailtls.queue;

/**
 * A message was not queued because it would take the queue past {@code mailtls.queue.max-size}.
 * Nothing of it stays on disk; the caller reports a temporary failure (4.7.x) to the sender, who
 * still holds the message.
 */
public final class QueueFullException extends QueueException {
    private static final long serialVersionUID = 1L;

    public QueueFullException(String message) {
        super(message);
    }
}
