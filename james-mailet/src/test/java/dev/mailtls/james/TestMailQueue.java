package dev.mailtls.james;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A James mail queue for the unit tests of the queue mode: James's own memory queue is published
 * for James 3.8 (javax) only, so not usable with the 3.9 mailet API. A mail enqueued without delay
 * is handed to the consumer; one with a delay is only recorded (the test hands it back itself).
 * Every enqueue and acknowledgement is recorded in order, with a copy of the mail as James's
 * queues keep one; {@link #refuse} makes enqueues fail as a broken queue would.
 */
final class TestMailQueue implements MailQueue {
    /**
     * One thing done to the queue; {@code observed} is what {@link #observeOnDone} saw when a
     * mail was acknowledged (e.g. what the mailet had handed to James by then).
     */
    record Event(String what, Mail mail, Duration delay, Object observed) {
    }

    private final MailQueueName name;
    private final BlockingQueue<Mail> ready = new LinkedBlockingQueue<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile Predicate<Mail> refuse = mail -> false;
    private volatile Supplier<Object> observeOnDone = () -> null;

    TestMailQueue(MailQueueName name) {
        this.name = name;
    }

    /** A factory whose queues are this one. */
    MailQueueFactory<TestMailQueue> factory() {
        return new MailQueueFactory<>() {
            @Override
            public Optional<TestMailQueue> getQueue(MailQueueName queueName, PrefetchCount count) {
                return Optional.of(TestMailQueue.this);
            }

            @Override
            public TestMailQueue createQueue(MailQueueName queueName, PrefetchCount count) {
                if (!queueName.equals(name)) {
                    throw new AssertionError("queue " + queueName + " asked for, expected " + name);
                }
                return TestMailQueue.this;
            }

            @Override
            public Set<MailQueueName> listCreatedMailQueues() {
                return Set.of(name);
            }
        };
    }

    void refuse(Predicate<Mail> which) {
        this.refuse = which;
    }

    void observeOnDone(Supplier<Object> observer) {
        this.observeOnDone = observer;
    }

    /** The next event, waiting for it up to 30 s. */
    Event next() throws InterruptedException {
        Event event = events.poll(30, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("nothing happened to the queue within 30 s");
        }
        return event;
    }

    /** The events so far, without waiting. */
    List<Event> drain() {
        List<Event> drained = new ArrayList<>();
        events.drainTo(drained);
        return drained;
    }

    @Override
    public MailQueueName getName() {
        return name;
    }

    @Override
    public void enQueue(Mail mail, Duration delay) throws MailQueueException {
        if (refuse.test(mail)) {
            throw new MailQueueException("test queue refuses " + mail.getName());
        }
        Mail copy;
        try {
            copy = mail.duplicate();
            copy.setName(mail.getName());
        } catch (jakarta.mail.MessagingException e) {
            throw new MailQueueException("cannot copy " + mail.getName(), e);
        }
        events.add(new Event("enqueue", copy, delay, null));
        if (delay.isZero()) {
            ready.add(copy);
        }
    }

    @Override
    public void enQueue(Mail mail) throws MailQueueException {
        enQueue(mail, Duration.ZERO);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        return Mono.fromRunnable(() -> {
            try {
                enQueue(mail);
            } catch (MailQueueException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Override
    public Publisher<MailQueueItem> deQueue() {
        return Flux.<MailQueueItem>generate(sink -> {
            try {
                Mail mail = ready.take();
                sink.next(new MailQueueItem() {
                    @Override
                    public Mail getMail() {
                        return mail;
                    }

                    @Override
                    public void done(CompletionStatus status) {
                        events.add(new Event("done " + status, mail, Duration.ZERO, observeOnDone.get()));
                    }
                });
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
                sink.complete();
            }
        });
    }

    @Override
    public void close() {
        events.add(new Event("close", null, Duration.ZERO, null));
    }
}
