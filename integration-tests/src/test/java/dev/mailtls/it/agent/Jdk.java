package dev.mailtls.it.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The Java runtimes the sample applications run on: Java 17, the oldest the agent is tested on
 * here (Debian 12's default {@code java}, so every build machine has it), and Java 25 (Temurin 25,
 * which the build machines carry for the build itself). {@code MAILTLS_IT_JAVA17} and
 * {@code MAILTLS_IT_JAVA25} name a home explicitly; otherwise the first folder under
 * {@code /usr/lib/jvm} whose {@code release} file says {@code JAVA_VERSION="17...} (or 25) is used.
 */
enum Jdk {
    JAVA_17(17, "Debian's openjdk-17-jre-headless"),
    JAVA_25(25, "Temurin 25");

    private static final Path JVM_FOLDER = Path.of("/usr/lib/jvm");

    private final int feature;
    private final String install;

    Jdk(int feature, String install) {
        this.feature = feature;
        this.install = install;
    }

    /** The feature release, e.g. 17. */
    int feature() {
        return feature;
    }

    /** The runtime's home; fails, saying how to provide one, when there is none. */
    Path home() {
        String variable = "MAILTLS_IT_JAVA" + feature;
        String explicit = System.getenv(variable);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        return find(feature).orElseThrow(() -> new IllegalStateException("no Java " + feature + " runtime under "
                + JVM_FOLDER + " (a folder with a release file saying JAVA_VERSION=\"" + feature + "...\"); install "
                + install + " or set " + variable + " to the home of one"));
    }

    @Override
    public String toString() {
        return "Java " + feature;
    }

    private static Optional<Path> find(int feature) {
        if (!Files.isDirectory(JVM_FOLDER)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(JVM_FOLDER)) {
            List<Path> sorted = homes.filter(home -> Files.isExecutable(home.resolve("bin").resolve("java")))
                    .sorted(Comparator.comparing(Path::toString)).toList();
            return sorted.stream().filter(home -> feature(home) == feature).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The feature release from {@code JAVA_VERSION} in the home's {@code release} file, or -1. */
    private static int feature(Path home) {
        Properties release = new Properties();
        try (InputStream in = Files.newInputStream(home.resolve("release"))) {
            release.load(in);
        } catch (IOException e) {
            return -1;
        }
        String version = release.getProperty("JAVA_VERSION", "").replace("\"", "");
        try {
            return Integer.parseInt(version.split("[.+-]")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
