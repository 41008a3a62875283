package dev.mailtls.james;

import org.apache.james.core.MailAddress;

/**
 * What one delivery attempt did for one recipient: sent, deferred (try again later) or failed
 * (bounce), with the SMTP reply that says why and the server that gave it. Immutable.
 */
final class RecipientOutcome {
    /** Postfix's {@code status=} words. */
    enum Status {
        SENT("sent"),
        DEFERRED("deferred"),
        BOUNCED("bounced");

        private final String logWord;

        Status(String logWord) {
            this.logWord = logWord;
        }

        String logWord() {
            return logWord;
        }
    }

    private final MailAddress recipient;
    private final Status status;
    private final SmtpReply reply;
    /** {@code mx.example.com[192.0.2.1]:25}, or {@code none} when no server was reached. */
    private final String relay;

    RecipientOutcome(MailAddress recipient, Status status, SmtpReply reply, String relay) {
        this.recipient = recipient;
        this.status = status;
        this.reply = reply;
        this.relay = relay;
    }

    static RecipientOutcome of(MailAddress recipient, SmtpReply reply, String relay) {
        Status status = reply.permanent() ? Status.BOUNCED : reply.temporary() ? Status.DEFERRED : Status.SENT;
        return new RecipientOutcome(recipient, status, reply, relay);
    }

    MailAddress recipient() {
        return recipient;
    }

    Status status() {
        return status;
    }

    SmtpReply reply() {
        return reply;
    }

    /** The same recipient, bounced because its retries ran out. */
    RecipientOutcome givenUp(String why) {
        return new RecipientOutcome(recipient, Status.BOUNCED, reply.givenUp(why), relay);
    }

    /** {@code to=<a@example.com>, relay=..., dsn=4.7.5, status=deferred (454 4.7.5 ...)}, as Postfix logs it. */
    @Override
    public String toString() {
        return "to=<" + recipient.asString() + ">, relay=" + relay + ", dsn=" + reply.status() + ", status="
                + status.logWord() + " (" + reply + ")";
    }
}
