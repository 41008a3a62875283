package dev.mailtls.james;

import dev.mailtls.config.DurationSyntax;
import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;

/**
 * What happens to a mail after one delivery attempt, recipient by recipient: sent recipients are
 * done; deferred ones go back, in a copy, to wait for the next attempt (with a delay from the
 * retry schedule and the attempt counter; where depends on the {@link Requeue}), unless the
 * schedule is exhausted; bounced ones go, in one copy per distinct reply, to the bounce processor
 * with the attributes James's DSNBounce reads. Logs one line per recipient in Postfix's words and
 * counts them.
 */
final class MailDisposition {
    /** Where a deferred copy waits for its next attempt. */
    interface Requeue {
        /** Hands {@code copy} over to wait {@code delayMillis}; when this returns, James holds it. */
        void requeue(Mail copy, long delayMillis) throws MessagingException;

        /** Where, for the log line: a processor or a queue. */
        String where();
    }

    /** What the mailet does with the copies it made once James holds them (releases their message). */
    interface Release {
        void release(Mail copy);
    }

    private final MailetContext context;
    private final DeliveryParameters parameters;
    private final DeliveryMetrics metrics;
    private final Release release;
    private final Logger log;

    MailDisposition(MailetContext context, DeliveryParameters parameters, DeliveryMetrics metrics, Release release,
            Logger log) {
        this.context = context;
        this.parameters = parameters;
        this.metrics = metrics;
        this.release = release;
        this.log = log;
    }

    /**
     * Applies {@code outcomes} to {@code mail}: queues the deferred recipients, bounces the
     * bounced ones, and returns the sent ones; {@code mail} itself is not changed.
     *
     * @param attempt the number of the attempt that just ended (1 for the first)
     * @param firstAttemptMillis when the first attempt started
     * @throws MessagingException when James did not take a copy; the copies handed over before stay handed over
     */
    List<MailAddress> apply(Mail mail, List<RecipientOutcome> outcomes, int attempt, long firstAttemptMillis, long nowMillis,
            Requeue requeue) throws MessagingException {
        List<MailAddress> sent = new ArrayList<>();
        List<RecipientOutcome> deferred = new ArrayList<>();
        List<RecipientOutcome> bounced = new ArrayList<>();
        for (RecipientOutcome outcome : outcomes) {
            switch (outcome.status()) {
                case SENT:
                    sent.add(outcome.recipient());
                    break;
                case DEFERRED:
                    deferred.add(outcome);
                    break;
                default:
                    bounced.add(outcome);
            }
        }
        RetrySchedule schedule = parameters.retrySchedule;
        long age = nowMillis - firstAttemptMillis;
        if (!deferred.isEmpty() && schedule.exhausted(attempt, age)) {
            String why = "gave up after " + attempt + (attempt == 1 ? " attempt" : " attempts") + " in "
                    + DurationSyntax.format(Math.max(age, 0) / 1000 * 1000) + " (" + schedule + ")";
            for (RecipientOutcome outcome : deferred) {
                bounced.add(outcome.givenUp(why));
            }
            deferred.clear();
        }
        for (RecipientOutcome outcome : outcomes) {
            if (outcome.status() == RecipientOutcome.Status.SENT) {
                metrics.delivered();
                log.info("mailtls: {}: {}, attempt={}", mail.getName(), outcome, attempt);
            }
        }
        if (!deferred.isEmpty()) {
            retry(mail, deferred, attempt, firstAttemptMillis, nowMillis, requeue);
        }
        bounce(mail, bounced, attempt);
        return sent;
    }

    private void retry(Mail mail, List<RecipientOutcome> deferred, int attempt, long firstAttemptMillis, long nowMillis,
            Requeue requeue) throws MessagingException {
        long delay = parameters.retrySchedule.delayAfter(attempt);
        Mail copy = mail.duplicate();
        try {
            copy.setRecipients(recipients(deferred));
            DeliveryAttributes.set(copy, DeliveryAttributes.ATTEMPTS, attempt);
            DeliveryAttributes.set(copy, DeliveryAttributes.FIRST_ATTEMPT, firstAttemptMillis);
            DeliveryAttributes.set(copy, DeliveryAttributes.NEXT_ATTEMPT, nowMillis + delay);
            DeliveryAttributes.set(copy, DeliveryAttributes.LAST_ERROR, deferred.get(0).reply().toString());
            for (RecipientOutcome outcome : deferred) {
                metrics.deferred();
                log.info("mailtls: {}: {}, attempt={}, retry in {} ({})", mail.getName(), outcome, attempt,
                        DurationSyntax.format(delay), requeue.where());
            }
            requeue.requeue(copy, delay);
        } finally {
            release.release(copy);
        }
    }

    private void bounce(Mail mail, List<RecipientOutcome> bounced, int attempt) throws MessagingException {
        // DSNBounce reports one error per mail: one copy per distinct reply.
        Map<String, List<RecipientOutcome>> byReply = new LinkedHashMap<>();
        for (RecipientOutcome outcome : bounced) {
            byReply.computeIfAbsent(outcome.reply().toString(), text -> new ArrayList<>()).add(outcome);
        }
        for (List<RecipientOutcome> group : byReply.values()) {
            SmtpReply reply = group.get(0).reply();
            Mail copy = mail.duplicate();
            try {
                copy.setRecipients(recipients(group));
                DeliveryAttributes.set(copy, DeliveryAttributes.DELIVERY_ERROR, reply.toString());
                DeliveryAttributes.set(copy, DeliveryAttributes.DELIVERY_ERROR_CODE, reply.code());
                DeliveryAttributes.set(copy, DeliveryAttributes.PERMANENT_ERROR, reply.permanent());
                DeliveryAttributes.set(copy, DeliveryAttributes.ATTEMPTS, attempt);
                for (RecipientOutcome outcome : group) {
                    metrics.bounced();
                    log.warn("mailtls: {}: {}, attempt={}, returned to sender through processor {}", mail.getName(), outcome,
                            attempt, parameters.bounceProcessor);
                }
                context.sendMail(copy, parameters.bounceProcessor);
            } finally {
                release.release(copy);
            }
        }
    }

    private static List<MailAddress> recipients(List<RecipientOutcome> outcomes) {
        List<MailAddress> recipients = new ArrayList<>();
        for (RecipientOutcome outcome : outcomes) {
            recipients.add(outcome.recipient());
        }
        return recipients;
    }
}
