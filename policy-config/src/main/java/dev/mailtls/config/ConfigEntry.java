package dev.mailtls.config;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * One key and value as written, with its origin ({@code file:line} or system property) and the
 * folder that relative paths in the value are resolved against.
 */
final class ConfigEntry {
    final String key;
    final String value;
    final String origin;
    private final Path baseDirectory;

    ConfigEntry(String key, String value, String origin, Path baseDirectory) {
        this.key = key;
        this.value = value;
        this.origin = origin;
        this.baseDirectory = baseDirectory;
    }

    /**
     * The value as a file path. A relative path in a file is relative to that file's folder, so a
     * deployment folder can be moved as a whole; one in a system property is relative to the
     * working directory.
     */
    Path path() {
        Path path = Paths.get(value);
        return baseDirectory == null || path.isAbsolute() ? path : baseDirectory.resolve(path);
    }

    ConfigProblem problem(String message) {
        return new ConfigProblem(origin, key, value, message);
    }
}
