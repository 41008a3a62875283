package dev.mailtls.james;

import dev.mailtls.dns.HostLookup;
import dev.mailtls.dns.MxHost;
import dev.mailtls.dns.MxLookup;
import dev.mailtls.engine.ConnectionRequirement;
import dev.mailtls.engine.PolicyEngine;
import dev.mailtls.engine.RefusalReply;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.policy.PolicyMatch;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.slf4j.Logger;

/**
 * Delivers one mail to the recipients of one domain as RFC 7672 and the policy demand: the
 * domain's rule, its MX hosts from a DNSSEC-validated lookup in preference order, for each host
 * the engine's requirement (a refused host is skipped, and why is remembered), then its validated
 * addresses in turn until a session reaches the transaction. Recipients a server deferred move on
 * to the next MX host; those still pending at the end are deferred with the policy's refusal if
 * there was one (or bounced, under {@code action=reject}), else with the last failure.
 */
final class DomainDelivery {
    private static final int PORT = 25;
    /** An IPv4 or IPv6 address, with or without brackets: what James makes of an address-literal domain. */
    private static final Pattern ADDRESS_LITERAL = Pattern.compile("\\[?(?:\\d{1,3}(?:\\.\\d{1,3}){3}|(?:IPv6:)?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\\]?");

    private final PolicyEngine engine;
    private final SmtpAttempt attempt;
    private final DeliveryMetrics metrics;
    private final Logger log;

    DomainDelivery(PolicyEngine engine, SmtpAttempt attempt, DeliveryMetrics metrics, Logger log) {
        this.engine = engine;
        this.attempt = attempt;
        this.metrics = metrics;
        this.log = log;
    }

    List<RecipientOutcome> deliver(String domain, List<MailAddress> recipients, Mail mail) {
        if (ADDRESS_LITERAL.matcher(domain).matches()) {
            // James keeps user@[192.0.2.1] as user@192.0.2.1; no top-level domain is all digits, so this is no DNS name.
            return all(recipients, SmtpReply.of(550, "5.1.2", "the recipient domain " + domain + " is an address literal,"
                    + " not a DNS name: address literals are not delivered by TlsPolicyDelivery (no MX, no TLSA to"
                    + " check); leave them to RemoteDelivery"), "none");
        }
        PolicyMatch match;
        MxLookup mx;
        try {
            match = engine.match(domain);
            mx = engine.destinations().lookupMx(domain);
        } catch (IllegalArgumentException notADnsName) {
            return all(recipients, SmtpReply.of(550, "5.1.2", "the recipient domain " + domain
                    + " is not a DNS name (address literals are not delivered by TlsPolicyDelivery: " + notADnsName.getMessage()
                    + ")"), "none");
        }
        switch (mx.kind()) {
            case NULL_MX:
                return all(recipients, SmtpReply.of(556, "5.1.10", mx.reason()), "none");
            case NO_SUCH_DOMAIN:
                return all(recipients, SmtpReply.of(550, "5.1.2", mx.reason()), "none");
            case DEFER:
                log.warn("mailtls: {}: {}; policy {} ({})", domain, mx.reason(), match.policy(), match.reason());
                return all(recipients, SmtpReply.of(451, "4.4.3", mx.reason()), "none");
            default:
                return overHosts(match, mx, recipients, mail);
        }
    }

    private List<RecipientOutcome> overHosts(PolicyMatch match, MxLookup mx, List<MailAddress> recipients, Mail mail) {
        Map<MailAddress, RecipientOutcome> pending = new LinkedHashMap<>();
        for (MailAddress recipient : recipients) {
            pending.put(recipient, null);
        }
        List<RecipientOutcome> finished = new ArrayList<>();
        SmtpReply refusal = null;
        SmtpReply lastFailure = null;
        String lastRelay = "none";
        boolean audit = match.policy().action() == PolicyAction.AUDIT;
        for (MxHost host : mx.hosts()) {
            if (pending.isEmpty()) {
                break;
            }
            ConnectionRequirement requirement = engine.forMxHost(match, host, PORT);
            if (requirement.kind() == ConnectionRequirement.Kind.REFUSED) {
                if (!audit) {
                    log.warn("mailtls: {} via {} refused before connecting: {}; {} action={} ({})", mx.domain(),
                            host.name(), requirement.reason(), requirement, match.policy().action(), match.rule().key());
                    refusal = SmtpReply.of(RefusalReply.of(match.rule(), RefusalReply.NOT_VERIFIED, requirement.reason()));
                    lastRelay = host.name();
                    continue;
                }
                metrics.audited();
                log.warn("mailtls: AUDIT: {} via {}: {}; connecting anyway with the best TLS available because action=audit",
                        mx.domain(), host.name(), requirement.reason());
            }
            // The requirement does not carry the addresses; this lookup is answered from the engine's cache.
            HostLookup lookup = engine.destinations().lookupHost(host, PORT);
            if (lookup.addresses().isEmpty()) {
                lastFailure = SmtpReply.of(451, "4.4.3", "no address for MX host " + host.name() + ": " + lookup.addressReason());
                lastRelay = host.name();
                log.warn("mailtls: {}: {}", mx.domain(), lastFailure);
                continue;
            }
            for (InetAddress address : lookup.addresses()) {
                SmtpAttempt.Result result = attempt.run(requirement, address, new ArrayList<>(pending.keySet()), mail, false);
                if (result.tlsFailed && !result.refusedByPolicy && requirement.kind() == ConnectionRequirement.Kind.MAY) {
                    // Level may: a failed STARTTLS or handshake is retried in plaintext, as Postfix does.
                    result = attempt.run(requirement, address, new ArrayList<>(pending.keySet()), mail, true);
                }
                lastRelay = host.name() + "[" + address.getHostAddress() + "]:" + PORT;
                if (result.sessionFailure != null) {
                    if (result.refusedByPolicy) {
                        refusal = result.sessionFailure;
                    } else {
                        lastFailure = result.sessionFailure;
                    }
                    continue;
                }
                for (RecipientOutcome outcome : result.outcomes) {
                    if (outcome.status() == RecipientOutcome.Status.DEFERRED) {
                        pending.put(outcome.recipient(), outcome);
                    } else {
                        pending.remove(outcome.recipient());
                        finished.add(outcome);
                    }
                }
                // The session reached the transaction: deferred recipients try the next MX host, not the next address.
                break;
            }
        }
        for (Map.Entry<MailAddress, RecipientOutcome> left : pending.entrySet()) {
            if (refusal != null) {
                finished.add(RecipientOutcome.of(left.getKey(), refusal, lastRelay));
            } else if (left.getValue() != null) {
                finished.add(left.getValue());
            } else {
                finished.add(RecipientOutcome.of(left.getKey(), lastFailure != null ? lastFailure
                        : SmtpReply.of(451, "4.4.0", "no MX host of " + mx.domain() + " could be tried"), lastRelay));
            }
        }
        return finished;
    }

    private static List<RecipientOutcome> all(List<MailAddress> recipients, SmtpReply reply, String relay) {
        List<RecipientOutcome> outcomes = new ArrayList<>();
        for (MailAddress recipient : recipients) {
            outcomes.add(RecipientOutcome.of(recipient, reply, relay));
        }
        return outcomes;
    }
}
