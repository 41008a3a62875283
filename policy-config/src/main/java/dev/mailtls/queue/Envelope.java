package dev.mailtls.queue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The SMTP envelope of a queued message: the MAIL FROM address ({@code ""} for the null sender
 * {@code <>}) and the RCPT TO addresses, which may differ from the message's header fields
 * (Bcc, list expansion). Immutable.
 */
public final class Envelope {
    private final String sender;
    private final List<String> recipients;

    private Envelope(String sender, List<String> recipients) {
        this.sender = sender;
        this.recipients = recipients;
    }

    /** An envelope; {@code sender} is {@code ""} for the null sender, {@code recipients} non-empty. */
    public static Envelope of(String sender, List<String> recipients) {
        checkAddress(Objects.requireNonNull(sender, "sender (use \"\" for the null sender)"));
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
        for (String recipient : recipients) {
            if (Objects.requireNonNull(recipient, "recipient").isEmpty()) {
                throw new IllegalArgumentException("empty recipient address");
            }
            checkAddress(recipient);
        }
        return new Envelope(sender, Collections.unmodifiableList(new ArrayList<>(recipients)));
    }

    /** An envelope; {@code sender} is {@code ""} for the null sender. */
    public static Envelope of(String sender, String... recipients) {
        return of(sender, Arrays.asList(recipients));
    }

    private static void checkAddress(String address) {
        for (int i = 0; i < address.length(); i++) {
            if (Character.isISOControl(address.charAt(i))) {
                throw new IllegalArgumentException("control character in envelope address \"" + address.replaceAll("\\p{Cntrl}", "?") + "\"");
            }
        }
    }

    /** The MAIL FROM address, {@code ""} for the null sender. */
    public String sender() {
        return sender;
    }

    /** The RCPT TO addresses, at least one, in the order given. */
    public List<String> recipients() {
        return recipients;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Envelope && ((Envelope) other).sender.equals(sender)
                && ((Envelope) other).recipients.equals(recipients);
    }

    @Override
    public int hashCode() {
        return sender.hashCode() * 31 + recipients.hashCode();
    }

    @Override
    public String toString() {
        return "from=<" + sender + "> to=<" + String.join(">,<", recipients) + ">";
    }
}
