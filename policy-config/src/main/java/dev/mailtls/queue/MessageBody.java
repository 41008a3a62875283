package dev.mailtls.queue;

import java.io.OutputStream;

/**
 * The bytes of a message to queue, written on demand: the agent passes the host library's
 * {@code Message.writeTo}, so the queue stores exactly what would have gone after DATA.
 */
public interface MessageBody {
    /** Writes the complete message (headers and body) to {@code out}; must not close it. */
    void writeTo(OutputStream out) throws Exception;
}
