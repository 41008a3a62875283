package dev.mailtls.james;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A duration written in a mailet init parameter, in the syntax of the MailTLS Guard configuration
 * file: a whole number with a unit ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 4h}, {@code 5d}).
 */
final class DurationParameter {
    static final String FORMAT = "a whole number with a unit: ms, s, m, h or d (e.g. 30s, 5m, 4h, 5d)";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

    private DurationParameter() {
    }

    /**
     * The duration in milliseconds.
     *
     * @throws IllegalArgumentException quoting {@code text} and saying what is allowed
     */
    static long parseMillis(String text) {
        Matcher matcher = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration; write " + FORMAT);
        }
        long amount = Long.parseLong(matcher.group(1));
        switch (matcher.group(2)) {
            case "ms":
                return amount;
            case "s":
                return amount * 1000L;
            case "m":
                return amount * 60_000L;
            case "h":
                return amount * 3_600_000L;
            default:
                return amount * 86_400_000L;
        }
    }

    /** {@code 90000} as {@code 90s}, {@code 3600000} as {@code 1h}: the largest unit that divides it. */
    static String format(long millis) {
        if (millis % 86_400_000L == 0 && millis > 0) {
            return millis / 86_400_000L + "d";
        }
        if (millis % 3_600_000L == 0 && millis > 0) {
            return millis / 3_600_000L + "h";
        }
        if (millis % 60_000L == 0 && millis > 0) {
            return millis / 60_000L + "m";
        }
        if (millis % 1000L == 0 && millis > 0) {
            return millis / 1000L + "s";
        }
        return millis + "ms";
    }
}
