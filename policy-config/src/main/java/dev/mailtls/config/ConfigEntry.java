package dev.mailtls.config;

/** One key and value as written, with its origin ({@code file:line} or system property). */
final class ConfigEntry {
    final String key;
    final String value;
    final String origin;

    ConfigEntry(String key, String value, String origin) {
        this.key = key;
        this.value = value;
        this.origin = origin;
    }

    ConfigProblem problem(String message) {
        return new ConfigProblem(origin, key, value, message);
    }
}
