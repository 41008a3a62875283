package dev.mailtls.james;

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
import org.apache.james.core.MailAddress;
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

    private DeliveryParameters parameters;
    private PolicyEngine engine;
    private DomainDelivery delivery;
    private MailDisposition disposition;

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
        delivery = new DomainDelivery(engine, new SmtpAttempt(engine, parameters, LOG), LOG);
        disposition = new MailDisposition(getMailetContext(), parameters, LOG);
        LOG.info("mailtls: mailet {} ready: configuration {}; {}, bounceProcessor={}", getMailetName(),
                parameters.policySource.describeFile(), parameters.retrySchedule, parameters.bounceProcessor);
    }

    private MessagingException configurationError(String problems) {
        return new MessagingException("TlsPolicyDelivery mailet " + getMailetName() + " cannot start, fix its"
                + " configuration in mailetcontainer.xml:" + System.lineSeparator() + problems);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        long now = System.currentTimeMillis();
        int attempt = DeliveryAttributes.attempts(mail) + 1;
        long firstAttempt = DeliveryAttributes.firstAttempt(mail).orElse(now);
        String state = mail.getState();
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
        disposition.apply(mail, outcomes, attempt, firstAttempt, System.currentTimeMillis(), state);
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
        if (engine != null) {
            engine.close();
        }
    }

    @Override
    public String getMailetInfo() {
        return "MailTLS Guard TlsPolicyDelivery: remote delivery under a STARTTLS / DANE / PKIX policy";
    }
}
