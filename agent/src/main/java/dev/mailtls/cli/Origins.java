package dev.mailtls.cli;

/** Shortens value origins for printing next to the file they came from. */
final class Origins {
    private Origins() {
    }

    /** {@code /etc/mailtls.properties:12} becomes {@code line 12} when the file is the one being shown. */
    static String shorten(String origin, String file) {
        return origin.replace(file + ":", "line ");
    }
}
