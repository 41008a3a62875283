package dev.mailtls.james;

import jakarta.mail.MessagingException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The mailet's own James mail queue, as RemoteDelivery has its {@code outgoing}: the spool thread
 * only puts a mail in it, and a pool of delivery threads takes mails out and delivers them, so
 * that deliveries do not hold James's few spool threads and as many run at a time as the pool
 * has threads. The queue is James's (memory, file, ActiveMQ, RabbitMQ...), so what it holds is as
 * durable as James makes it; a mail taken out is acknowledged by the delivery thread only after
 * its outcome is in James's hands. A class of its own so that the queue API and Reactor are only
 * loaded when James injected a queue factory.
 */
final class OutgoingQueue {
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    private static final long STOP_WAIT_SECONDS = 30;

    private final MailQueue queue;
    private final String name;
    private final Logger log;
    private ExecutorService workers;
    private Scheduler dequeue;
    private Disposable consumer;
    private volatile boolean closing;

    private OutgoingQueue(MailQueue queue, String name, Logger log) {
        this.queue = queue;
        this.name = name;
        this.log = log;
    }

    /** James's queue {@code name}, created when it does not exist yet. */
    static OutgoingQueue open(MailQueueFactory<?> factory, String name, Logger log) {
        return new OutgoingQueue(factory.createQueue(MailQueueName.of(name)), name, log);
    }

    String name() {
        return name;
    }

    /** Puts {@code mail} in the queue for delivery now; when this returns, the queue holds a copy. */
    void enqueue(Mail mail) throws MessagingException {
        queue.enQueue(mail);
    }

    /** Puts {@code mail} in the queue for delivery after {@code delayMillis}. */
    void enqueue(Mail mail, long delayMillis) throws MessagingException {
        queue.enQueue(mail, Duration.ofMillis(delayMillis));
    }

    /**
     * Starts {@code threads} delivery threads, each taking the next mail from the queue and handing
     * it to {@code delivery}, which must acknowledge it ({@link MailQueue.MailQueueItem#done}) and
     * not throw. Should the queue fail, the threads take up again after a pause (1 s, doubling, at
     * most 1 min).
     */
    void start(int threads, Consumer<MailQueue.MailQueueItem> delivery) {
        AtomicInteger number = new AtomicInteger();
        ThreadFactory named = runnable -> {
            Thread thread = new Thread(runnable, "mailtls-delivery-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        workers = Executors.newFixedThreadPool(threads, named);
        dequeue = Schedulers.newSingle("mailtls-dequeue");
        // Taking from the queue may block (James's memory queue does): on the dequeue thread, never on a delivery thread.
        consumer = Flux.from(queue.deQueue())
                .subscribeOn(dequeue)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_BACKOFF).maxBackoff(MAX_BACKOFF)
                        .filter(failure -> !closing)
                        .doBeforeRetry(signal -> log.error("mailtls: taking mail from queue {} failed; trying again",
                                name, signal.failure())))
                // A CompletableFuture, not a Reactor scheduler: stopping the flow must not interrupt a
                // delivery in flight (a Reactor task on an executor service is cancelled with an
                // interrupt), or its outcome would not reach James and its mail not be acknowledged.
                .flatMap(item -> Mono.fromFuture(CompletableFuture.runAsync(() -> delivery.accept(item), workers)), threads)
                .subscribe(null, stopped -> {
                    if (!closing) {
                        log.error("mailtls: delivery from queue {} stopped", name, stopped);
                    }
                });
    }

    /**
     * Stops taking mail, lets running deliveries end (up to 30 s) and hand their outcomes to James,
     * and releases the queue. A mail taken but not acknowledged stays in a durable queue for the
     * next start.
     */
    void close() {
        closing = true;
        if (consumer != null) {
            consumer.dispose();
            dequeue.dispose();
            workers.shutdown();
            log.info("mailtls: stopped taking mail from queue {}; waiting up to {} s for the deliveries in flight", name,
                    STOP_WAIT_SECONDS);
            try {
                if (!workers.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    log.warn("mailtls: deliveries from queue {} still running after {} s; stopping them", name,
                            STOP_WAIT_SECONDS);
                    workers.shutdownNow();
                }
            } catch (InterruptedException interrupted) {
                workers.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        try {
            queue.close();
        } catch (Exception closing) {
            log.warn("mailtls: closing queue {} failed: {}", name, closing.toString());
        }
    }

    /**
     * Releases the message of a mail James no longer needs from us (a copy it took, a mail
     * delivered from the queue), as RemoteDelivery does, so that James's leak detector stays quiet.
     */
    static void release(Mail mail) {
        LifecycleUtil.dispose(mail);
    }
}
