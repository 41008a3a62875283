package dev.mailtls.james;

import dev.mailtls.config.DurationSyntax;
import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;

/**
 * What happens to a mail after one delivery attempt, recipient by recipient: sent recipients are
 * done (the mail ends, or goes on to the delivered processor); deferred ones go back to the spool
 * in a copy, with a delay from the retry schedule and the attempt counter, unless the schedule is
 * exhausted; bounced ones go, in one copy per distinct reply, to the bounce processor with the
 * attributes James's DSNBounce reads. Logs one line per recipient in Postfix's words.
 */
final class MailDisposition {
    private final MailetContext context;
    private final DeliveryParameters parameters;
    private final Logger log;

    MailDisposition(MailetContext context, DeliveryParameters parameters, Logger log) {
        this.context = context;
        this.parameters = parameters;
        this.log = log;
    }

    /**
     * Applies {@code outcomes} to {@code mail}.
     *
     * @param attempt the number of the attempt that just ended (1 for the first)
     * @param firstAttemptMillis when the first attempt started
     * @param state the processor the mail was in, where a deferred copy returns unless a retry processor is configured
     */
    void apply(Mail mail, List<RecipientOutcome> outcomes, int attempt, long firstAttemptMillis, long nowMillis,
            String state) throws MessagingException {
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
                log.info("mailtls: {}: {}, attempt={}", mail.getName(), outcome, attempt);
            }
        }
        if (!deferred.isEmpty()) {
            retry(mail, deferred, attempt, firstAttemptMillis, state);
        }
        bounce(mail, bounced, attempt);
        mail.setRecipients(sent);
        mail.setState(!sent.isEmpty() && parameters.deliveredProcessor != null ? parameters.deliveredProcessor : Mail.GHOST);
    }

    private void retry(Mail mail, List<RecipientOutcome> deferred, int attempt, long firstAttemptMillis, String state)
            throws MessagingException {
        long delay = parameters.retrySchedule.delayAfter(attempt);
        Mail copy = mail.duplicate();
        copy.setRecipients(recipients(deferred));
        DeliveryAttributes.set(copy, DeliveryAttributes.ATTEMPTS, attempt);
        DeliveryAttributes.set(copy, DeliveryAttributes.FIRST_ATTEMPT, firstAttemptMillis);
        DeliveryAttributes.set(copy, DeliveryAttributes.LAST_ERROR, deferred.get(0).reply().toString());
        String retryState = parameters.retryProcessor != null ? parameters.retryProcessor : state;
        for (RecipientOutcome outcome : deferred) {
            log.info("mailtls: {}: {}, attempt={}, retry in {} ({})", mail.getName(), outcome, attempt,
                    DurationSyntax.format(delay), retryState);
        }
        context.sendMail(copy, retryState, delay, TimeUnit.MILLISECONDS);
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
            copy.setRecipients(recipients(group));
            DeliveryAttributes.set(copy, DeliveryAttributes.DELIVERY_ERROR, reply.toString());
            DeliveryAttributes.set(copy, DeliveryAttributes.DELIVERY_ERROR_CODE, reply.code());
            DeliveryAttributes.set(copy, DeliveryAttributes.PERMANENT_ERROR, reply.permanent());
            DeliveryAttributes.set(copy, DeliveryAttributes.ATTEMPTS, attempt);
            for (RecipientOutcome outcome : group) {
                log.warn("mailtls: {}: {}, attempt={}, returned to sender through processor {}", mail.getName(), outcome,
                        attempt, parameters.bounceProcessor);
            }
            context.sendMail(copy, parameters.bounceProcessor);
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
