package dev.mailtls.queue;

import java.io.InputStream;

/**
 * Sends one queued message, as a fresh connection under a fresh policy decision. The agent's
 * implementation re-sends through the host application's own mail library. Called by
 * {@link QueueWorker} on its own thread, one message at a time per worker thread.
 */
public interface Deliverer {
    /**
     * Tries to deliver {@code message}, whose exact bytes {@code body} yields. An exception counts
     * as {@link DeliveryResult#deferred(String) deferred} with the exception's text.
     */
    DeliveryResult deliver(QueuedMessage message, InputStream body) throws Exception;
}
