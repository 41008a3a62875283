package dev.mailtls.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The queue's size limit as written in {@code mailtls.queue.max-size}: a byte size
 * ({@code 1GB}, {@code 500MB}, {@code 64KB}, {@code 1048576B}; units are powers of 1024), a message
 * count ({@code 10000 messages}), both separated by a comma ({@code 1GB, 10000 messages}), or
 * {@code unlimited}. A limit that is not written is unlimited: {@code 10000 messages} alone lifts
 * the default byte limit.
 */
public final class SizeSyntax {
    /** What a size limit looks like, for error messages. */
    public static final String FORMAT = "a byte size with a unit (B, KB, MB, GB, TB; powers of 1024), a message count"
            + " (\"10000 messages\"), both separated by a comma (\"1GB, 10000 messages\"), or \"unlimited\"";
    private static final Pattern BYTES = Pattern.compile("(\\d{1,12})\\s*(b|kb|mb|gb|tb)");
    private static final Pattern MESSAGES = Pattern.compile("(\\d{1,9})\\s*messages?");
    private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB"};

    private SizeSyntax() {
    }

    /** A parsed limit: bytes and messages, 0 meaning unlimited. */
    public static final class Limit {
        public final long bytes;
        public final int messages;

        Limit(long bytes, int messages) {
            this.bytes = bytes;
            this.messages = messages;
        }
    }

    /** Parses a limit; {@link IllegalArgumentException} with the reason when malformed. */
    public static Limit parse(String text) {
        String trimmed = text.trim();
        if (trimmed.equalsIgnoreCase("unlimited")) {
            return new Limit(0, 0);
        }
        Long bytes = null;
        Integer messages = null;
        for (String part : trimmed.split(",", -1)) {
            String item = part.trim();
            Matcher byteMatch = BYTES.matcher(item.toLowerCase(Locale.ROOT));
            Matcher messageMatch = MESSAGES.matcher(item.toLowerCase(Locale.ROOT));
            if (byteMatch.matches() && bytes == null) {
                long amount = Long.parseLong(byteMatch.group(1));
                int unit = indexOf(byteMatch.group(2).toUpperCase(Locale.ROOT));
                if (amount == 0 || amount > (Long.MAX_VALUE >> (10 * unit))) {
                    throw new IllegalArgumentException("\"" + item + "\" is out of range; write a positive size, or"
                            + " leave the byte limit out for none");
                }
                bytes = amount << (10 * unit);
            } else if (messageMatch.matches() && messages == null) {
                int amount = Integer.parseInt(messageMatch.group(1));
                if (amount == 0) {
                    throw new IllegalArgumentException("\"" + item + "\": write a positive count, or leave the message"
                            + " limit out for none");
                }
                messages = amount;
            } else if (byteMatch.matches() || messageMatch.matches()) {
                throw new IllegalArgumentException("\"" + item + "\" repeats a limit; write at most one byte size and"
                        + " one message count");
            } else {
                throw new IllegalArgumentException("\"" + item + "\" is not a size limit; write " + FORMAT);
            }
        }
        return new Limit(bytes == null ? 0 : bytes, messages == null ? 0 : messages);
    }

    /** A limit in configuration syntax: {@code 1GB}, {@code 10000 messages}, {@code 1GB, 10000 messages}, {@code unlimited}. */
    public static String format(long bytes, int messages) {
        if (bytes == 0 && messages == 0) {
            return "unlimited";
        }
        String byteText = bytes == 0 ? "" : formatBytes(bytes);
        String messageText = messages == 0 ? "" : messages + " messages";
        return byteText + (bytes != 0 && messages != 0 ? ", " : "") + messageText;
    }

    /** A byte count in the largest unit that keeps it exact ({@code 1GB}, {@code 1536KB}, {@code 1000B}). */
    public static String formatBytes(long bytes) {
        int unit = 0;
        long amount = bytes;
        while (unit < UNITS.length - 1 && amount != 0 && amount % 1024 == 0) {
            amount /= 1024;
            unit++;
        }
        return amount + UNITS[unit];
    }

    private static int indexOf(String unit) {
        for (int i = 0; i < UNITS.length; i++) {
            if (UNITS[i].equals(unit)) {
                return i;
            }
        }
        throw new IllegalArgumentException(unit);
    }
}
