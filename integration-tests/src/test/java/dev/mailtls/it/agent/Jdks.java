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
 * The other JVMs the sample applications run on besides the test's own: a Java 17 runtime, the
 * oldest the agent is tested on here (Debian 12's default {@code java}, so every build machine
 * has it). {@code MAILTLS_IT_JAVA17} names its home explicitly; otherwise the first folder under
 * {@code /usr/lib/jvm} whose {@code release} file says {@code JAVA_VERSION="17...} is used.
 */
final class Jdks {
    private static final Path JVM_FOLDER = Path.of("/usr/lib/jvm");

    private Jdks() {
    }

    /** The home of a Java 17 runtime; fails, saying how to provide one, when there is none. */
    static Path java17() {
        String explicit = System.getenv("MAILTLS_IT_JAVA17");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        return find(17).orElseThrow(() -> new IllegalStateException("no Java 17 runtime under " + JVM_FOLDER
                + " (a folder with a release file saying JAVA_VERSION=\"17...\"); install Debian's openjdk-17-jre-headless"
                + " or set MAILTLS_IT_JAVA17 to the home of one"));
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
