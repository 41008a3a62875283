package dev.mailtls.queue;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Queue ids: 12 upper-case hex digits of the queue time in milliseconds, then 8 random ones, e.g.
 * {@code 018F2A3B4C5D9E8F7A6B}. Sorting ids sorts by queue time; the random part keeps ids of
 * messages queued in the same millisecond by several JVMs apart (the store still makes sure an
 * id is unused before taking it). Ids are also file names, so nothing else is accepted as one.
 */
final class MessageId {
    static final int LENGTH = 20;
    private static final Pattern VALID = Pattern.compile("[0-9A-F]{" + LENGTH + "}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private MessageId() {
    }

    static String next(Instant now) {
        return String.format(Locale.ROOT, "%012X%08X", now.toEpochMilli() & 0xFFFF_FFFF_FFFFL, RANDOM.nextInt());
    }

    static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }
}
