package dev.mailtls.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in configuration: a whole number and a unit, {@code 500ms}, {@code 5s},
 * {@code 15m}, {@code 4h}, {@code 5d}. A bare number is refused: "5" could mean seconds or
 * milliseconds, and guessing wrong turns a timeout into an outage. Used by every front end
 * (the configuration file, the James mailet's init parameters).
 */
public final class DurationSyntax {
    /** What a duration looks like, for error messages. */
    public static final String FORMAT = "a whole number with a unit: ms, s, m, h or d (e.g. 5s, 500ms, 15m)";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

    private DurationSyntax() {
    }

    /** The duration in milliseconds; {@link IllegalArgumentException} with the reason when malformed. */
    public static long parseMillis(String text) {
        Matcher matcher = DURATION.matcher(text.trim().toLowerCase(java.util.Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a duration; write " + FORMAT);
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

    /** The shortest exact spelling of {@code millis}, e.g. 5000 → {@code 5s}. */
    public static String format(long millis) {
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
