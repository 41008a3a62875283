package dev.mailtls.agent.queue;

import dev.mailtls.queue.SmtpDestination;

/**
 * A transport connection that the policy deferred into the queue: where the application meant to
 * send (and how to get there again) and why it could not. Holds strings only, nothing of the
 * application. Immutable.
 */
final class QueuedConnection {
    private final SmtpDestination destination;
    private final String reason;

    QueuedConnection(SmtpDestination destination, String reason) {
        this.destination = destination;
        this.reason = reason;
    }

    SmtpDestination destination() {
        return destination;
    }

    /** The refusal the application would have seen without a queue, e.g. {@code 454 4.7.4 TLS is required, ...}. */
    String reason() {
        return reason;
    }
}
