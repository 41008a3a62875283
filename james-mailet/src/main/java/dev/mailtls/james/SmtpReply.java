package dev.mailtls.james;

import dev.mailtls.engine.RefusalReply;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SMTP reply as the outcome of one recipient, either received from a server
 * ({@code 550 5.1.1 <x@example.com>: Recipient address rejected}) or made up here in the same
 * form ({@code 454 4.7.5 Server certificate not verified: ...}), so that James's DSNBounce
 * reports it as an SMTP diagnostic. Immutable.
 */
final class SmtpReply {
    private static final Pattern REPLY = Pattern.compile("^([2-5]\\d\\d)[ -]((?:[245])\\.\\d{1,3}\\.\\d{1,3})?.*", Pattern.DOTALL);

    private final int code;
    private final String text;

    private SmtpReply(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** A reply made here: {@code code status what}, e.g. {@code 454 4.7.4 TLS is required, ...}. */
    static SmtpReply of(int code, String status, String what) {
        return new SmtpReply(code, code + " " + status + " " + what);
    }

    /** The policy's refusal, e.g. {@code 454 4.7.5 Server certificate not verified: ...}. */
    static SmtpReply of(RefusalReply refusal) {
        return new SmtpReply(refusal.code(), refusal.toString());
    }

    /**
     * The reply a server sent, as a mail library reports it; {@code null} when {@code text} does
     * not start with a reply code (a local failure, not a server's answer).
     */
    static SmtpReply parse(String text) {
        if (text == null) {
            return null;
        }
        String trimmed = text.trim();
        Matcher matcher = REPLY.matcher(trimmed);
        return matcher.matches() ? new SmtpReply(Integer.parseInt(matcher.group(1)), trimmed) : null;
    }

    int code() {
        return code;
    }

    boolean permanent() {
        return code >= 500;
    }

    boolean temporary() {
        return code >= 400 && code < 500;
    }

    /** The enhanced status code (RFC 3463) of the text, or one derived from the reply code. */
    String status() {
        Matcher matcher = REPLY.matcher(text);
        if (matcher.matches() && matcher.group(2) != null) {
            return matcher.group(2);
        }
        return code / 100 + ".0.0";
    }

    /**
     * This reply made final after the retries ran out: a temporary reply keeps its code and status
     * (a DSN may report a persistent transient failure, as Postfix does) and says why it was given up.
     */
    SmtpReply givenUp(String why) {
        return new SmtpReply(code, text + "; " + why);
    }

    /** The whole reply text, starting with the code. */
    @Override
    public String toString() {
        return text;
    }
}
