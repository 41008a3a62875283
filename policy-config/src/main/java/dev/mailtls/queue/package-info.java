/**
 * The durable queue of deferred messages ({@code mailtls.queue.*}): a message the policy defers is
 * stored on disk ({@link dev.mailtls.queue.MessageQueue#enqueue}) before the application is told
 * it was accepted, and a {@link dev.mailtls.queue.QueueWorker} hands it to a
 * {@link dev.mailtls.queue.Deliverer} until it is delivered, expires or is refused for good.
 * Several JVMs may share one directory; file locks keep them from delivering one message twice at
 * the same time. The store format, the guarantees and the operator's view are in
 * {@code docs/queue.md}.
 */
package dev.mailtls.queue;
