package dev.mailtls.james;

import java.util.Optional;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * The mail attributes this mailet reads and writes. Values are plain Integer, Long, String and
 * Boolean: James's queues serialize attributes, and a class of this jar would not deserialize
 * in another. The {@code delivery-error} names are those of James's RemoteDelivery, which its
 * DSNBounce mailet reads.
 */
final class DeliveryAttributes {
    /** How many delivery attempts this mail has had (Integer). */
    static final AttributeName ATTEMPTS = AttributeName.of("dev.mailtls.james.attempts");
    /** When the first attempt started, milliseconds since the epoch (Long). */
    static final AttributeName FIRST_ATTEMPT = AttributeName.of("dev.mailtls.james.first-attempt");
    /**
     * When the next attempt is due, milliseconds since the epoch (Long): a mail queue that hands a
     * deferred mail back much earlier ignores delays (James's RabbitMQ queue does).
     */
    static final AttributeName NEXT_ATTEMPT = AttributeName.of("dev.mailtls.james.next-attempt");
    /** The reply that deferred the mail last (String), for operators looking at a queued mail. */
    static final AttributeName LAST_ERROR = AttributeName.of("dev.mailtls.james.last-error");
    /** The reply text of a bounce (String), as James's Bouncer sets it for DSNBounce. */
    static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    /** The SMTP reply code of a bounce (Integer), as James's Bouncer sets it. */
    static final AttributeName DELIVERY_ERROR_CODE = AttributeName.of("delivery-error-code");
    /** Whether the bounce is for a permanent failure (Boolean), as James's RemoteDelivery sets it. */
    static final AttributeName PERMANENT_ERROR = AttributeName.of("is-delivery-permanent-error");

    private DeliveryAttributes() {
    }

    static int attempts(Mail mail) {
        return value(mail, ATTEMPTS, Integer.class).orElse(0);
    }

    static Optional<Long> firstAttempt(Mail mail) {
        return value(mail, FIRST_ATTEMPT, Long.class);
    }

    static Optional<Long> nextAttempt(Mail mail) {
        return value(mail, NEXT_ATTEMPT, Long.class);
    }

    static void set(Mail mail, AttributeName name, Integer value) {
        mail.setAttribute(new Attribute(name, AttributeValue.of(value)));
    }

    static void set(Mail mail, AttributeName name, Long value) {
        mail.setAttribute(new Attribute(name, AttributeValue.of(value)));
    }

    static void set(Mail mail, AttributeName name, String value) {
        mail.setAttribute(new Attribute(name, AttributeValue.of(value)));
    }

    static void set(Mail mail, AttributeName name, Boolean value) {
        mail.setAttribute(new Attribute(name, AttributeValue.of(value)));
    }

    private static <T> Optional<T> value(Mail mail, AttributeName name, Class<T> type) {
        return mail.getAttribute(name).flatMap(attribute -> attribute.getValue().valueAs(type));
    }
}
