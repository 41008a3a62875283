package dev.mailtls.it.james;

import static dev.mailtls.it.james.JamesBed.subject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.TestBed;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The javax jar for James 3.8, in a JVM of its own with James 3.8.1's mailet API and javax.mail
 * 1.6.2 and no jakarta class at all ({@link JavaxMailetRun}), delivering to the bed.
 */
class JavaxMailetJarTest {
    private static final Path JAVAX_JAR = Path.of("..", "james-mailet", "target", "mailtls-james-mailet-javax.jar");
    private static final Path JAMES_38 = Path.of("..", "james-mailet", "target", "james-3.8-class-path");

    @TempDir
    Path dir;

    private TestBed bed;
    private JamesBed james;

    @BeforeEach
    void setUp() {
        bed = TestBed.shared();
        bed.reset();
        james = new JamesBed(bed, dir);
    }

    @AfterEach
    void tearDown() {
        james.close();
    }

    private String run(Path config, String subject, String... recipients) throws IOException, InterruptedException {
        List<String> classPath = new ArrayList<>();
        classPath.add(Path.of(JavaxMailetRun.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString());
        classPath.add(JAVAX_JAR.toString());
        try (Stream<Path> jars = Files.list(JAMES_38)) {
            jars.map(Path::toString).sorted().forEach(classPath::add);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, classPath), JavaxMailetRun.class.getName(), config.toString(), subject));
        command.addAll(List.of(recipients));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void daneDeliveryOnJavaxMail() throws Exception {
        assertThat(JAVAX_JAR).as("built by the james-mailet module's package phase").exists();
        String subject = subject();

        String output = run(james.configFile("mailtls.level = dane-only"), subject, "user@dane-ok.test");

        assertThat(output).contains("state=ghost recipients=[user@dane-ok.test]").doesNotContain("sent state=");
        assertThat(james.delivered("dane-ok.test", subject).arrivedOverTls()).isTrue();
    }

    @Test
    void strippedStarttlsIsDeferredOnJavaxMail() throws Exception {
        String output = run(james.configFile(), subject(), "user@starttls-strip.test");

        assertThat(output).contains("state=ghost recipients=[]")
                .contains("sent state=relay recipients=[user@starttls-strip.test]")
                .contains("454 4.7.4 TLS is required, but was not offered by host mx.starttls-strip.test[127.0.0.4]:25");
        assertThat(bed.stripProxy().cleartextSensitiveCommands()).isEmpty();
        assertThat(bed.mailboxes().count("starttls-strip.test")).isZero();
    }
}
