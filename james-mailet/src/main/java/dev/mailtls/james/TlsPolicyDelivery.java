package dev.mailtls.james;

import com.google.inject.Inject;
import dev.mailtls.config.DurationSyntax;
import dev.mailtls.config.MailTlsConfig;
import dev.mailtls.engine.PolicyEngine;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers remote mail itself, with MailTLS Guard's policy deciding and verifying every SMTP
 * connection: per recipient domain the policy rule, a DNSSEC-validated MX lookup, for each MX host
 * the engine's requirement (STARTTLS required, DANE TLSA, PKIX), enforced on the real connection by
 * the engine's trust manager. Sent recipients are done; deferred ones are retried on a schedule
 * with an attempt counter and given up after a maximum number of attempts or age; bounced ones
 * go to the bounce processor with the attributes DSNBounce reads.
 *
 * <p>A connection whose transaction went through stays open for 2 s for the next mail to the same
 * server under the same requirement, as Postfix's connection cache keeps it ({@link ConnectionCache}).
 *
 * <p>In James, the mailet works like RemoteDelivery: the spool thread only puts the mail, one
 * copy per recipient domain, in a James mail queue of the mailet's own ({@code outgoingQueue}),
 * and the mailet's {@code deliveryThreads} take mails from there and deliver them; a deferred
 * copy goes back into that queue with its delay. Without a queue factory (James's
 * {@code FakeMailContext}, a container that injects none) it delivers in the calling thread and
 * puts deferred copies back on the spool with their delay.
 *
 * <pre>
 * &lt;mailet match="dev.mailtls.james.RecipientTlsPolicyIs=dane,dane-only" class="dev.mailtls.james.TlsPolicyDelivery"&gt;
 *   &lt;config&gt;/etc/mailtls.properties&lt;/config&gt;
 *   &lt;bounceProcessor&gt;bounces&lt;/bounceProcessor&gt;
 * &lt;/mailet&gt;
 * </pre>
 *
 * Init parameters: see {@link DeliveryParameters}; a bad one fails James's start-up.
 */
public class TlsPolicyDelivery extends GenericMailet {
    private static final Logger LOG = LoggerFactory.getLogger(TlsPolicyDelivery.class);
    /** A deferred mail handed back this much before its delay ended came from a queue that ignores delays. */
    private static final long EARLY_TOLERANCE_MILLIS = 5_000;

    private MailQueueFactory<?> queueFactory;
    private MetricFactory metricFactory;

    private DeliveryParameters parameters;
    private PolicyEngine engine;
    private DeliveryMetrics metrics = DeliveryMetrics.NONE;
    private DomainDelivery delivery;
    private MailDisposition disposition;
    private OutgoingQueue queue;
    private ConnectionCache connections;
    private final AtomicBoolean warnedAboutIgnoredDelays = new AtomicBoolean();

    /**
     * James's mail queues (Guice injects them where the server has them): with one, the mailet
     * delivers from a queue of its own; without, in the calling thread.
     */
    @Inject(optional = true)
    public void setMailQueueFactory(MailQueueFactory<?> queueFactory) {
        this.queueFactory = queueFactory;
    }

    /** James's metrics (Guice injects them where the server has them); without, nothing is counted. */
    @Inject(optional = true)
    public void setMetricFactory(MetricFactory metricFactory) {
        this.metricFactory = metricFactory;
    }

    @Override
    public void init() throws MessagingException {
        try {
            parameters = DeliveryParameters.read(getInitParameterNames(), this::getInitParameter);
        } catch (IllegalArgumentException invalid) {
            throw configurationError(invalid.getMessage());
        }
        MailTlsConfig config;
        try {
            config = parameters.policySource.load();
        } catch (IllegalArgumentException invalid) {
            throw configurationError("MailTLS Guard configuration from " + parameters.policySource.describeFile()
                    + " is invalid:" + System.lineSeparator() + invalid.getMessage());
        }
        try {
            engine = PolicyEngine.create(config);
        } catch (IOException | GeneralSecurityException unusable) {
            throw configurationError("mailtls.tls.trust-store " + config.tls().trustStorePath() + " is unusable: "
                    + unusable.getMessage() + "; give a PEM bundle or a PKCS12/JKS key store of CA certificates");
        }
        if (metricFactory != null) {
            metrics = new JamesDeliveryMetrics(metricFactory);
        }
        connections = new ConnectionCache(LOG);
        delivery = new DomainDelivery(engine, new SmtpAttempt(engine, parameters, metrics, connections, LOG), metrics, LOG);
        String mode;
        if (queueFactory != null) {
            queue = OutgoingQueue.open(queueFactory, parameters.outgoingQueue, LOG);
            disposition = new MailDisposition(getMailetContext(), parameters, metrics, OutgoingQueue::release, LOG);
            queue.start(parameters.deliveryThreads, this::deliverQueued);
            mode = "delivering from queue " + queue.name() + " with " + parameters.deliveryThreads + " threads";
        } else {
            disposition = new MailDisposition(getMailetContext(), parameters, metrics, copy -> {
            }, LOG);
            mode = "no James mail queue: delivering in the spool thread";
        }
        if (parameters.policySource.hasInlinePolicies()) {
            LOG.warn("mailtls: mailet {}: its inline mailtls.policy.* / mailtls.level parameters apply to its deliveries"
                    + " only; a RecipientTlsPolicyIs matcher routes by its own configuration. Keep policy rules in the"
                    + " file that both read (see the mailet's README, \"The matcher and the mailet\")", getMailetName());
        }
        LOG.info("mailtls: mailet {} ready: configuration {}; {}, bounceProcessor={}; {}; metrics {}", getMailetName(),
                parameters.policySource.describeFile(), parameters.retrySchedule, parameters.bounceProcessor, mode,
                metricFactory != null ? "to James" : "off");
    }

    private MessagingException configurationError(String problems) {
        return new MessagingException("TlsPolicyDelivery mailet " + getMailetName() + " cannot start, fix its"
                + " configuration in mailetcontainer.xml:" + System.lineSeparator() + problems);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (queue != null) {
            enqueueByDomain(mail);
            return;
        }
        String state = mail.getState();
        String retryState = parameters.retryProcessor != null ? parameters.retryProcessor : state;
        List<MailAddress> sent = attempt(mail, new MailDisposition.Requeue() {
            @Override
            public void requeue(Mail copy, long delayMillis) throws MessagingException {
                getMailetContext().sendMail(copy, retryState, delayMillis, TimeUnit.MILLISECONDS);
            }

            @Override
            public String where() {
                return retryState;
            }
        });
        mail.setRecipients(sent);
        mail.setState(!sent.isEmpty() && parameters.deliveredProcessor != null ? parameters.deliveredProcessor : Mail.GHOST);
    }

    /**
     * Puts one copy of {@code mail} per recipient domain in the queue, then ends it. Only when
     * this returns has the spool handed the mail over: should the queue refuse a copy, the
     * exception goes to James (its {@code onMailetException} handling) with the recipients not
     * yet queued.
     */
    private void enqueueByDomain(Mail mail) throws MessagingException {
        Map<String, List<MailAddress>> domains = byDomain(mail.getRecipients());
        if (domains.size() == 1) {
            queue.enqueue(mail);
        } else {
            List<MailAddress> notQueued = new ArrayList<>(mail.getRecipients());
            for (Map.Entry<String, List<MailAddress>> domain : domains.entrySet()) {
                Mail copy = null;
                try {
                    copy = mail.duplicate();
                    copy.setName(mail.getName() + "-to-" + domain.getKey());
                    copy.setRecipients(domain.getValue());
                    queue.enqueue(copy);
                } catch (MessagingException | RuntimeException refused) {
                    mail.setRecipients(notQueued);
                    throw refused;
                } finally {
                    if (copy != null) {
                        OutgoingQueue.release(copy);
                    }
                }
                notQueued.removeAll(domain.getValue());
            }
        }
        LOG.debug("mailtls: {}: queued in {} for {}", mail.getName(), queue.name(), domains.keySet());
        mail.setState(Mail.GHOST);
    }

    /**
     * One mail from the queue: delivered, then its outcome handed to James (deferred copies back
     * into the queue, bounces and delivered copies to their processors), and only then
     * acknowledged. Should James not take an outcome, the mail goes back into the queue whole (as
     * RemoteDelivery does: recipients already sent may get it twice, none loses it), as a deferred
     * mail: with the schedule's delay and this attempt counted, so that it neither comes back at
     * once nor circles past maxAttempts / maxAge. Only when the queue refuses that too is the mail
     * handed back to the queue as it came ({@code RETRY}).
     */
    private void deliverQueued(MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        try {
            List<MailAddress> sent = attempt(mail, new MailDisposition.Requeue() {
                @Override
                public void requeue(Mail copy, long delayMillis) throws MessagingException {
                    if (parameters.retryProcessor != null) {
                        getMailetContext().sendMail(copy, parameters.retryProcessor, delayMillis, TimeUnit.MILLISECONDS);
                    } else {
                        queue.enqueue(copy, delayMillis);
                    }
                }

                @Override
                public String where() {
                    return parameters.retryProcessor != null ? parameters.retryProcessor : "queue " + queue.name();
                }
            });
            if (!sent.isEmpty() && parameters.deliveredProcessor != null) {
                Mail copy = mail.duplicate();
                try {
                    copy.setRecipients(sent);
                    getMailetContext().sendMail(copy, parameters.deliveredProcessor);
                } finally {
                    OutgoingQueue.release(copy);
                }
            }
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception notHandedOver) {
            putBackWhole(item, mail, notHandedOver);
        } finally {
            OutgoingQueue.release(mail);
        }
    }

    private void putBackWhole(MailQueue.MailQueueItem item, Mail mail, Exception notHandedOver) {
        int attempt = DeliveryAttributes.attempts(mail) + 1;
        long delay = parameters.retrySchedule.delayAfter(attempt);
        LOG.error("mailtls: {}: James did not take the outcome of its delivery ({}); it goes back into queue {} whole,"
                + " attempt={}, retry in {}", mail.getName(), notHandedOver.toString(), queue.name(), attempt,
                DurationSyntax.format(delay), notHandedOver);
        Mail whole = null;
        try {
            long now = System.currentTimeMillis();
            whole = mail.duplicate();
            DeliveryAttributes.set(whole, DeliveryAttributes.ATTEMPTS, attempt);
            DeliveryAttributes.set(whole, DeliveryAttributes.FIRST_ATTEMPT, DeliveryAttributes.firstAttempt(mail).orElse(now));
            DeliveryAttributes.set(whole, DeliveryAttributes.NEXT_ATTEMPT, now + delay);
            DeliveryAttributes.set(whole, DeliveryAttributes.LAST_ERROR, "451 4.3.0 James did not take the outcome of"
                    + " the delivery: " + notHandedOver);
            queue.enqueue(whole, delay);
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception refused) {
            LOG.error("mailtls: {}: queue {} refused it too ({}); handing it back to the queue as it came", mail.getName(),
                    queue.name(), refused.toString());
            try {
                item.done(MailQueue.MailQueueItem.CompletionStatus.RETRY);
            } catch (Exception alsoFailed) {
                LOG.error("mailtls: {}: handing it back to queue {} failed too: {}", mail.getName(), queue.name(),
                        alsoFailed.toString());
            }
        } finally {
            if (whole != null) {
                OutgoingQueue.release(whole);
            }
        }
    }

    /** One delivery attempt of {@code mail} to all its recipients, its outcome applied; returns the sent recipients. */
    private List<MailAddress> attempt(Mail mail, MailDisposition.Requeue requeue) throws MessagingException {
        DeliveryMetrics.Timer timer = metrics.attempt();
        try {
            long now = System.currentTimeMillis();
            warnIfDelayIgnored(mail, now);
            int attempt = DeliveryAttributes.attempts(mail) + 1;
            long firstAttempt = DeliveryAttributes.firstAttempt(mail).orElse(now);
            List<RecipientOutcome> outcomes = new ArrayList<>();
            for (Map.Entry<String, List<MailAddress>> domain : byDomain(mail.getRecipients()).entrySet()) {
                try {
                    outcomes.addAll(delivery.deliver(domain.getKey(), domain.getValue(), mail));
                } catch (RuntimeException bug) {
                    // Fail closed: a mistake of ours defers the mail, it never sends it unprotected.
                    LOG.error("mailtls: internal error delivering {} to {}; deferred", mail.getName(), domain.getKey(), bug);
                    for (MailAddress recipient : domain.getValue()) {
                        outcomes.add(RecipientOutcome.of(recipient, SmtpReply.of(451, "4.3.0", "MailTLS Guard internal error ("
                                + bug + "); see James's log"), "none"));
                    }
                }
            }
            return disposition.apply(mail, outcomes, attempt, firstAttempt, System.currentTimeMillis(), requeue);
        } finally {
            timer.stop();
        }
    }

    /**
     * Says so, once, when a deferred mail comes back well before its delay ended: the queue ignores
     * delays (James's RabbitMQ queue does), so only {@code maxAttempts} bounds its retries.
     */
    private void warnIfDelayIgnored(Mail mail, long now) {
        Long due = DeliveryAttributes.nextAttempt(mail).orElse(null);
        if (due != null && now < due - EARLY_TOLERANCE_MILLIS && warnedAboutIgnoredDelays.compareAndSet(false, true)) {
            LOG.warn("mailtls: {}: deferred mail back {} before its next attempt was due: {} ignores delays (James's"
                    + " RabbitMQ queue does), so its retries come at once and only maxAttempts bounds them; park deferred"
                    + " mail instead (retryProcessor, see the mailet's README, \"Distributed James\")", mail.getName(),
                    DurationSyntax.format((due - now) / 1000 * 1000), queue != null && parameters.retryProcessor == null
                            ? "queue " + queue.name() : "James's spool queue");
        }
    }

    private static Map<String, List<MailAddress>> byDomain(Iterable<MailAddress> recipients) {
        Map<String, List<MailAddress>> byDomain = new LinkedHashMap<>();
        for (MailAddress recipient : recipients) {
            byDomain.computeIfAbsent(recipient.getDomain().asString().toLowerCase(Locale.ROOT), domain -> new ArrayList<>())
                    .add(recipient);
        }
        return byDomain;
    }

    @Override
    public void destroy() {
        if (queue != null) {
            queue.close();
        }
        if (connections != null) {
            connections.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Override
    public String getMailetInfo() {
        return "MailTLS Guard TlsPolicyDelivery: remote delivery under a STARTTLS / DANE / PKIX policy";
    }
}
