package dev.mailtls.config;

/**
 * One thing wrong with a configuration: where (file and line, or system property), which key,
 * the offending value, and what is wrong and allowed. Immutable.
 */
public final class ConfigProblem {
    private final String origin;
    private final String key;
    private final String value;
    private final String message;

    ConfigProblem(String origin, String key, String value, String message) {
        this.origin = origin;
        this.key = key;
        this.value = value;
        this.message = message;
    }

    /** Where the value was written: {@code /etc/mailtls.properties:12}, {@code system property -Dmailtls.level}. */
    public String origin() {
        return origin;
    }

    /** The configuration key, or {@code null} for a problem with the file as a whole. */
    public String key() {
        return key;
    }

    /** The offending value, or {@code null}. */
    public String value() {
        return value;
    }

    /** What is wrong and what is allowed. */
    public String message() {
        return message;
    }

    /** {@code /etc/mailtls.properties:12: mailtls.dns.timeout = "5": a duration needs a unit ...}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(origin).append(": ");
        if (key != null) {
            text.append(key);
            if (value != null) {
                text.append(" = \"").append(value).append('"');
            }
            text.append(": ");
        }
        return text.append(message).toString();
    }
}
