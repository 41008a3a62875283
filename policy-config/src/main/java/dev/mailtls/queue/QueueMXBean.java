package dev.mailtls.queue;

/**
 * The queue as seen over JMX, registered by a running {@link QueueWorker} as
 * {@code dev.mailtls:type=Queue,directory="<queue directory>"}. Sizes are read from the directory
 * at each call (so they include other JVMs' messages); the counters are this worker's since it
 * started.
 */
public interface QueueMXBean {
    /** The queue directory. */
    String getDirectory();

    /** Queued messages (not dead, not corrupt). */
    int getQueueLength();

    /** Bytes of the queued messages. */
    long getQueueBytes();

    /** Seconds the oldest queued message has waited; 0 when the queue is empty. */
    long getOldestAgeSeconds();

    /** Messages this worker delivered. */
    long getDeliveries();

    /** Attempts of this worker that ended in a temporary failure (the message stays queued). */
    long getDeferrals();

    /** Messages this worker moved to {@code dead/} (expired or refused permanently). */
    long getDeadLetters();

    /** Messages in {@code dead/}, from any JVM. */
    int getDeadMessages();

    /** Corrupt entries skipped by delivery; non-zero calls for an operator (see {@code queue list}). */
    int getCorruptEntries();

    /** Makes every queued message due now; the number that were not due yet. */
    int retryAllNow();
}
