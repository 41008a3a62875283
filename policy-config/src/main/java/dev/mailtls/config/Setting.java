package dev.mailtls.config;

/**
 * One global setting as it is in effect: key, value in configuration syntax, and where the value
 * came from. For {@code config-check}'s report. Immutable.
 */
public final class Setting {
    private final String key;
    private final String value;
    private final String origin;

    Setting(String key, String value, String origin) {
        this.key = key;
        this.value = value;
        this.origin = origin;
    }

    public String key() {
        return key;
    }

    public String value() {
        return value;
    }

    /** {@code /etc/mailtls.properties:5}, {@code system property -Dmailtls.dns.timeout}, or {@code built-in default}. */
    public String origin() {
        return origin;
    }

    @Override
    public String toString() {
        return key + " = " + value + " (" + origin + ")";
    }
}
