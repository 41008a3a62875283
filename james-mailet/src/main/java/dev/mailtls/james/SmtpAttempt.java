package dev.mailtls.james;

import dev.mailtls.engine.ConnectionFailure;
import dev.mailtls.engine.ConnectionRequirement;
import dev.mailtls.engine.ConnectionTrust;
import dev.mailtls.engine.PolicyEngine;
import dev.mailtls.engine.RefusalReply;
import dev.mailtls.policy.PolicyAction;
import dev.mailtls.tls.VerificationOutcome;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import org.apache.mailet.Mail;
import org.apache.james.core.MailAddress;
import org.slf4j.Logger;

/**
 * One SMTP session to one address of one MX host, under the requirement the policy engine decided
 * for that host: a fresh mail session whose STARTTLS settings and TLS socket factory come from the
 * requirement (the factory is an object, so the session is built on a plain {@code Properties}
 * without defaults), MAIL FROM, RCPT TO for every recipient still pending, DATA; then one outcome
 * per recipient. Logs one line for the connection, in Postfix's words.
 */
final class SmtpAttempt {
    private static final int PORT = 25;

    private final PolicyEngine engine;
    private final DeliveryParameters parameters;
    private final DeliveryMetrics metrics;
    private final ConnectionCache connections;
    private final Logger log;

    SmtpAttempt(PolicyEngine engine, DeliveryParameters parameters, DeliveryMetrics metrics, ConnectionCache connections,
            Logger log) {
        this.engine = engine;
        this.parameters = parameters;
        this.metrics = metrics;
        this.connections = connections;
        this.log = log;
    }

    /** What one session did. */
    static final class Result {
        /** One per recipient that got an answer; empty when the session failed before RCPT TO. */
        final List<RecipientOutcome> outcomes;
        /** Why the session failed before the transaction, or {@code null}. */
        final SmtpReply sessionFailure;
        /** Whether {@link #sessionFailure} is the policy's refusal (as opposed to a network problem). */
        final boolean refusedByPolicy;
        /** Whether STARTTLS or the TLS handshake failed, which at level {@code may} allows a plaintext retry. */
        final boolean tlsFailed;
        /** Whether the connection broke during the transaction (no reply to the end of it). */
        final boolean connectionLost;

        private Result(List<RecipientOutcome> outcomes, SmtpReply sessionFailure, boolean refusedByPolicy,
                boolean tlsFailed, boolean connectionLost) {
            this.outcomes = outcomes;
            this.sessionFailure = sessionFailure;
            this.refusedByPolicy = refusedByPolicy;
            this.tlsFailed = tlsFailed;
            this.connectionLost = connectionLost;
        }

        static Result delivered(List<RecipientOutcome> outcomes, boolean connectionLost) {
            return new Result(outcomes, null, false, false, connectionLost);
        }

        static Result failed(SmtpReply reply, boolean refusedByPolicy, boolean tlsFailed) {
            return new Result(new ArrayList<RecipientOutcome>(), reply, refusedByPolicy, tlsFailed, false);
        }

        /** Whether every recipient was accepted: the connection is in a clean state for the next transaction. */
        boolean allSent() {
            if (sessionFailure != null || connectionLost || outcomes.isEmpty()) {
                return false;
            }
            for (RecipientOutcome outcome : outcomes) {
                if (outcome.status() != RecipientOutcome.Status.SENT) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Delivers {@code mail} to {@code recipients} through {@code address}.
     *
     * @param withoutTls leave STARTTLS off: the plaintext retry of level {@code may} after a failed handshake
     */
    Result run(ConnectionRequirement requirement, InetAddress address, List<MailAddress> recipients, Mail mail,
            boolean withoutTls) {
        String relay = requirement.host() + "[" + address.getHostAddress() + "]:" + PORT;
        String key = ConnectionCache.key(requirement, relay, withoutTls);
        ConnectionCache.Connection cached = connections.take(key);
        if (cached != null) {
            // A connection made and verified for this very requirement, between two transactions.
            cached.properties.setProperty("mail.smtp.from", sender(mail));
            log.debug("mailtls: reusing the connection to {} (use {}); {}", relay, cached.uses, requirement);
            Result result = send(cached.transport, mail, recipients, relay, cached.uses);
            if (result.allSent()) {
                connections.offer(key, cached);
                return result;
            }
            connections.close(cached);
            if (!result.connectionLost) {
                return result;
            }
            // The server closed the cached connection under us: nothing was accepted, try a new one.
            log.debug("mailtls: the reused connection to {} broke; connecting anew", relay);
        }
        boolean audit = requirement.match().policy().action() == PolicyAction.AUDIT;
        RecordingSocketFactory factory;
        try {
            factory = new RecordingSocketFactory(engine.tlsContext(requirement).socketFactory());
        } catch (GeneralSecurityException | RuntimeException cannotSetUp) {
            return refused(requirement, relay, RefusalReply.of(requirement.match().rule(), RefusalReply.NOT_VERIFIED,
                    "cannot set up the verified TLS handshake: " + cannotSetUp.getMessage()));
        }
        Properties properties = sessionProperties(requirement, mail, factory, audit, withoutTls);
        Transport transport;
        try {
            transport = Session.getInstance(properties).getTransport("smtp");
        } catch (MessagingException noSmtp) {
            return Result.failed(SmtpReply.of(451, "4.3.5", "no SMTP transport in this James: " + noSmtp.getMessage()),
                    false, false);
        }
        boolean kept = false;
        try {
            try {
                transport.connect(address.getHostAddress(), PORT, null, null);
            } catch (MessagingException failed) {
                return connectFailed(requirement, relay, failed, factory.socket() != null);
            }
            long connectedAt = System.currentTimeMillis();
            SSLSocket tls = factory.socket();
            if (tls == null && requirement.kind().tlsRequired() && !audit && !withoutTls) {
                // Defence in depth: starttls.required should have stopped the session already.
                return refused(requirement, relay, RefusalReply.of(requirement.match().rule(), RefusalReply.TLS_NOT_AVAILABLE,
                        "TLS is required, but the connection to " + relay + " is in plaintext"));
            }
            logConnection(requirement, relay, address, tls, audit);
            Result result = send(transport, mail, recipients, relay, 1);
            if (result.allSent()) {
                connections.offer(key, new ConnectionCache.Connection(transport, properties, relay, connectedAt));
                kept = true;
            }
            return result;
        } finally {
            if (!kept) {
                try {
                    transport.close();
                } catch (MessagingException | RuntimeException closing) {
                    log.debug("mailtls: closing the connection to {} failed: {}", relay, closing.toString());
                }
            }
        }
    }

    private static String sender(Mail mail) {
        return mail.getMaybeSender().isNullSender() ? "<>" : mail.getMaybeSender().asString();
    }

    private Properties sessionProperties(ConnectionRequirement requirement, Mail mail, RecordingSocketFactory factory,
            boolean audit, boolean withoutTls) {
        // A plain Properties without defaults: Properties.get, which the mail library uses for the
        // socket factory object, does not look into defaults (James's own session pool loses it so).
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.ehlo", "true");
        properties.setProperty("mail.smtp.auth", "false");
        properties.setProperty("mail.smtp.sendpartial", "true");
        properties.setProperty("mail.smtp.connectiontimeout", String.valueOf(parameters.connectionTimeoutMillis));
        properties.setProperty("mail.smtp.timeout", String.valueOf(parameters.timeoutMillis));
        if (parameters.heloName != null) {
            properties.setProperty("mail.smtp.localhost", parameters.heloName);
        }
        // Read by the mail library at every MAIL FROM: a reused connection gets the next mail's sender here.
        properties.setProperty("mail.smtp.from", sender(mail));
        boolean tlsOff = withoutTls || requirement.kind() == ConnectionRequirement.Kind.NONE;
        boolean tlsRequired = requirement.kind().tlsRequired() && !audit;
        properties.setProperty("mail.smtp.starttls.enable", String.valueOf(!tlsOff));
        properties.setProperty("mail.smtp.starttls.required", String.valueOf(!tlsOff && tlsRequired));
        properties.setProperty("mail.smtp.ssl.enable", "false");
        properties.put("mail.smtp.ssl.socketFactory", factory);
        // The engine's trust manager checks the names the policy demands; the library's own check
        // would demand the address we connect to.
        properties.setProperty("mail.smtp.ssl.checkserveridentity", "false");
        return properties;
    }

    private Result connectFailed(ConnectionRequirement requirement, String relay, MessagingException failed,
            boolean tlsStarted) {
        ConnectionFailure failure = ConnectionFailure.of(failed, tlsStarted);
        RefusalReply refusal = failure.refusal(requirement, relay);
        if (refusal != null) {
            return refused(requirement, relay, refusal);
        }
        SmtpReply reply = SmtpReply.parse(failed.getMessage());
        if (failure.tlsFailed()) {
            // Level may (or none): the caller retries in plaintext, as Postfix does.
            log.info("mailtls: {}; {}", failure.describe(relay), requirement);
            return Result.failed(reply != null && reply.temporary() ? reply : SmtpReply.of(454, "4.7.0", failure.describe(relay)),
                    false, true);
        }
        String why = failed.getMessage() + (failed.getCause() == null || failed.getCause() == failed ? ""
                : ": " + failed.getCause().getMessage());
        log.warn("mailtls: connection to {} failed: {}; {}", relay, why, requirement);
        return Result.failed(reply != null && reply.temporary() ? reply
                : SmtpReply.of(451, "4.4.1", "connection to " + relay + " failed: " + why), false, false);
    }

    private Result refused(ConnectionRequirement requirement, String relay, RefusalReply refusal) {
        log.warn("mailtls: {} refused: {}; {} action={} ({})", relay, refusal.what(), requirement,
                requirement.match().policy().action(), requirement.match().rule().key());
        return Result.failed(SmtpReply.of(refusal), true, false);
    }

    private void logConnection(ConnectionRequirement requirement, String relay, InetAddress address, SSLSocket tls,
            boolean audit) {
        if (tls == null) {
            if (requirement.kind().tlsRequired()) {
                metrics.audited();
                log.warn("mailtls: AUDIT: plaintext connection to {} violates {}; sending anyway because action=audit",
                        relay, requirement);
            } else {
                log.info("mailtls: plaintext connection to {}; {}", relay, requirement);
            }
            return;
        }
        VerificationOutcome outcome = VerificationOutcome.of(tls.getSession());
        String line = "mailtls: " + ConnectionTrust.summary(requirement, requirement.host(), address.getHostAddress(), PORT, tls)
                + "; " + requirement;
        if (outcome != null && !outcome.isAuthenticated() && audit) {
            metrics.audited();
            log.warn("{}; AUDIT: {}; sending anyway because action=audit", line, outcome.failureMessage());
        } else {
            log.info(line);
        }
    }

    private Result send(Transport transport, Mail mail, List<MailAddress> recipients, String relay, int use) {
        Map<String, MailAddress> byAddress = new LinkedHashMap<>();
        List<Address> addresses = new ArrayList<>();
        List<RecipientOutcome> outcomes = new ArrayList<>();
        for (MailAddress recipient : recipients) {
            try {
                InternetAddress address = new InternetAddress(recipient.asString(), true);
                byAddress.put(key(address), recipient);
                addresses.add(address);
            } catch (AddressException malformed) {
                outcomes.add(RecipientOutcome.of(recipient, SmtpReply.of(553, "5.1.3", "the recipient address "
                        + recipient.asString() + " is not valid in SMTP: " + malformed.getMessage()), "none"));
            }
        }
        if (addresses.isEmpty()) {
            return Result.delivered(outcomes, false);
        }
        String relayUse = use > 1 ? relay + ", conn_use=" + use : relay;
        try {
            transport.sendMessage(mail.getMessage(), addresses.toArray(new Address[0]));
            SmtpReply accepted = lastServerResponse(transport);
            for (MailAddress recipient : byAddress.values()) {
                outcomes.add(RecipientOutcome.of(recipient, accepted, relayUse));
            }
        } catch (SendFailedException partly) {
            outcomes.addAll(perRecipient(partly, byAddress, relayUse));
        } catch (MessagingException failed) {
            SmtpReply reply = SmtpReply.parse(failed.getMessage());
            boolean lost = reply == null || reply.toString().startsWith("2");
            SmtpReply outcome = !lost ? reply
                    : SmtpReply.of(451, "4.4.2", "lost connection with " + relay + " while sending: " + describe(failed));
            for (MailAddress recipient : byAddress.values()) {
                outcomes.add(RecipientOutcome.of(recipient, outcome, relayUse));
            }
            return Result.delivered(outcomes, lost);
        }
        return Result.delivered(outcomes, false);
    }

    /**
     * The outcome of each recipient after a partly failed transaction: sent, or the server's own
     * reply to its RCPT TO, or the reply that ended the transaction (MAIL FROM, DATA).
     */
    private static List<RecipientOutcome> perRecipient(SendFailedException partly, Map<String, MailAddress> byAddress,
            String relay) {
        Map<String, SmtpReply> replies = new LinkedHashMap<>();
        // Each refused recipient is a nested exception carrying its address and the server's reply.
        Exception next = partly.getNextException();
        for (int depth = 0; next != null && depth < 10_000; depth++) {
            InternetAddress address = addressOf(next);
            SmtpReply reply = SmtpReply.parse(next.getMessage());
            if (address != null && reply != null) {
                replies.put(key(address), reply);
            }
            next = next instanceof MessagingException ? ((MessagingException) next).getNextException() : null;
        }
        SmtpReply overall = SmtpReply.parse(partly.getMessage());
        SmtpReply fallback = overall != null && !overall.toString().startsWith("2") ? overall
                : SmtpReply.of(451, "4.4.2", "transaction with " + relay + " failed: " + partly.getMessage());
        List<RecipientOutcome> outcomes = new ArrayList<>();
        List<String> sent = keys(partly.getValidSentAddresses());
        for (Map.Entry<String, MailAddress> entry : byAddress.entrySet()) {
            SmtpReply reply;
            if (sent.contains(entry.getKey())) {
                reply = overall != null && overall.toString().startsWith("2") ? overall
                        : SmtpReply.of(250, "2.0.0", "accepted by " + relay);
            } else {
                reply = replies.getOrDefault(entry.getKey(), fallback);
            }
            outcomes.add(RecipientOutcome.of(entry.getValue(), reply, relay));
        }
        return outcomes;
    }

    /** The address of a recipient-level failure (the SMTP provider's {@code SMTPAddressFailedException}). */
    private static InternetAddress addressOf(Exception failure) {
        try {
            Object address = failure.getClass().getMethod("getAddress").invoke(failure);
            return address instanceof InternetAddress ? (InternetAddress) address : null;
        } catch (ReflectiveOperationException | RuntimeException notRecipientLevel) {
            return null;
        }
    }

    /** The server's reply to the end of DATA; the provider has it, the API does not. */
    private static SmtpReply lastServerResponse(Transport transport) {
        try {
            Object text = transport.getClass().getMethod("getLastServerResponse").invoke(transport);
            SmtpReply reply = SmtpReply.parse(text == null ? null : text.toString());
            if (reply != null && reply.code() < 300) {
                return reply;
            }
        } catch (ReflectiveOperationException | RuntimeException notAvailable) {
            // The reply text is for the log only.
        }
        return SmtpReply.of(250, "2.0.0", "message accepted");
    }

    private static List<String> keys(Address[] addresses) {
        List<String> keys = new ArrayList<>();
        if (addresses != null) {
            for (Address address : addresses) {
                if (address instanceof InternetAddress) {
                    keys.add(key((InternetAddress) address));
                }
            }
        }
        return keys;
    }

    private static String key(InternetAddress address) {
        return address.getAddress().toLowerCase(Locale.ROOT);
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure.getCause();
        return failure.getMessage() + (cause == null || cause == failure ? "" : " (" + cause + ")");
    }
}
