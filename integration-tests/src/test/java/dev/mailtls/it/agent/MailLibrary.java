package dev.mailtls.it.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A mail library generation the agent instruments, as jars copied by the build into
 * {@code target/mail-libs/ID/} (see this module's pom.xml), with the namespace its API uses.
 */
public enum MailLibrary {
    JAVAX_MAIL_1_4_7("javax-mail-1.4.7", "javax"),
    JAVAX_MAIL_1_5_6("javax-mail-1.5.6", "javax"),
    JAVAX_MAIL_1_6_2("javax-mail-1.6.2", "javax"),
    JAKARTA_MAIL_1_6_7("jakarta-mail-1.6.7", "javax"),
    JAKARTA_MAIL_2_0_1("jakarta-mail-2.0.1", "jakarta"),
    ANGUS_MAIL_1_1_0("angus-mail-1.1.0", "jakarta"),
    ANGUS_MAIL_2_0_3("angus-mail-2.0.3", "jakarta");

    private final String id;
    private final String api;

    MailLibrary(String id, String api) {
        this.id = id;
        this.api = api;
    }

    /** The package of the library's SMTP classes: Angus 2 moved them out of {@code com.sun.mail}. */
    public String smtpPackage() {
        return this == ANGUS_MAIL_2_0_3 ? "org.eclipse.angus.mail.smtp" : "com.sun.mail.smtp";
    }

    public String id() {
        return id;
    }

    /** {@code javax} or {@code jakarta}: the package of {@code Session}, {@code Transport}, ... */
    public String api() {
        return api;
    }

    /** The library's jars (API, implementation, activation). */
    public List<Path> jars() {
        return jarsIn(Path.of("target", "mail-libs", id));
    }

    /** The jars in a folder the build filled, sorted; fails if there are none. */
    static List<Path> jarsIn(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> jars = files.filter(file -> file.toString().endsWith(".jar")).sorted().toList();
            if (jars.isEmpty()) {
                throw new IllegalStateException("no jars in " + folder.toAbsolutePath() + "; run the build (mvn verify)");
            }
            return jars;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder.toAbsolutePath() + "; run the build (mvn verify)", e);
        }
    }
}
