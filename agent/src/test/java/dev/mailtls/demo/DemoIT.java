package dev.mailtls.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.agent.launcher.AgentLauncher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mailtls demo} as a user runs it, in this JVM through the jar's launcher, on the
 * packaged agent jar (Failsafe puts it on the class path in place of target/classes, see the
 * module's pom.xml): the demo forks the application's JVMs with that jar as their agent. One run;
 * each test checks one row of its table, or what it left behind.
 */
class DemoIT {
    private static int exitCode;
    private static String output;
    private static String progress;
    private static List<Path> tempFoldersBefore;
    private static List<Path> tempFoldersAfter;
    /** Table rows by scenario title and "with" / "without" (the agent). */
    private static final Map<String, String[]> ROWS = new LinkedHashMap<>();

    @BeforeAll
    static void runTheDemo() throws Throwable {
        tempFoldersBefore = demoTempFolders();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        exitCode = AgentLauncher.run(List.of("demo"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        tempFoldersAfter = demoTempFolders();
        output = out.toString(StandardCharsets.UTF_8);
        progress = err.toString(StandardCharsets.UTF_8);
        output.lines().filter(line -> line.contains(" | ") && !line.startsWith("SCENARIO")).forEach(line -> {
            String[] cells = line.split(" \\| ");
            ROWS.put(cells[0].trim() + (cells[1].trim().equals("yes") ? " with" : " without"), cells);
        });
    }

    private static String[] row(String scenario) {
        assertThat(ROWS).as(output + progress).containsKey(scenario);
        return ROWS.get(scenario);
    }

    private static String application(String scenario) {
        return row(scenario)[2].trim();
    }

    private static String decision(String scenario) {
        return row(scenario)[3].trim();
    }

    private static String arrived(String scenario) {
        return row(scenario)[4].trim();
    }

    private static String plaintext(String scenario) {
        return row(scenario)[5].trim();
    }

    @Test
    void everyScenarioBehavesAsExpected() {
        assertThat(exitCode).as(output + progress).isZero();
        assertThat(output).contains("Self-check: all 6 scenarios behaved as expected.");
        assertThat(ROWS).hasSize(6);
    }

    @Test
    void honestServerIsVerifiedByDaneAndReceivesTheMessage() {
        assertThat(application("honest server with")).isEqualTo("sent");
        assertThat(decision("honest server with")).startsWith("Verified [dane]: DANE TLSA 3 1 1 ");
        assertThat(arrived("honest server with")).isEqualTo("yes");
        assertThat(plaintext("honest server with")).isEqualTo("none");
        assertThat(arrived("honest server without")).isEqualTo("yes");
    }

    @Test
    void strippedStartTlsIsRefusedWithTheAgentBeforeAuthOrMailCrossInPlaintext() {
        assertThat(application("STARTTLS stripped with")).startsWith("failed: 454 4.7.4");
        assertThat(decision("STARTTLS stripped with")).startsWith("refused [dane]: TLS is required, but was not offered");
        assertThat(arrived("STARTTLS stripped with")).isEqualTo("no");
        assertThat(plaintext("STARTTLS stripped with")).isEqualTo("none");
    }

    @Test
    void strippedStartTlsLeaksLoginAndMessageWithoutTheAgent() {
        assertThat(application("STARTTLS stripped without")).isEqualTo("sent");
        assertThat(arrived("STARTTLS stripped without")).isEqualTo("yes");
        assertThat(plaintext("STARTTLS stripped without")).matches("[1-9][0-9]* B \\(AUTH MAIL RCPT DATA\\) \\+ message [1-9][0-9]* B");
        assertThat(output).contains("password \"s3cret-demo-password\"");
    }

    @Test
    void substitutedCertificateIsRefusedBecauseNoTlsaRecordMatches() {
        assertThat(application("substituted certificate with")).startsWith("failed: 454 4.7.5");
        assertThat(decision("substituted certificate with")).isEqualTo("refused [dane]: no TLSA record matched");
        assertThat(arrived("substituted certificate with")).isEqualTo("no");
        assertThat(plaintext("substituted certificate with")).isEqualTo("none");
        assertThat(output).containsPattern("454 4\\.7\\.5 Server certificate not verified: DANE: no TLSA record of"
                + " _[0-9]+\\._tcp\\.substituted\\.demo\\.test matched");
    }

    @Test
    void serverWithoutStartTlsIsRefusedUnderTheEncryptFallback() {
        assertThat(application("server without STARTTLS with")).startsWith("failed: 454 4.7.4");
        assertThat(decision("server without STARTTLS with")).startsWith("refused [encrypt]: TLS is required");
        assertThat(arrived("server without STARTTLS with")).isEqualTo("no");
        assertThat(plaintext("server without STARTTLS with")).isEqualTo("none");
    }

    @Test
    void leavesNoFilesAndNoThreadsBehind() {
        // Only "no new folder": another demo on the same machine may remove its own meanwhile.
        assertThat(tempFoldersAfter).isSubsetOf(tempFoldersBefore);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(thread -> thread.getName().startsWith("mailtls-demo"));
    }

    @Test
    void agentJarCarriesTheApplicationsMailLibraryAsNestedJarsOnly() throws Exception {
        // The rest of the jar's shading rules are integration-tests' AgentJarTest.
        Path jar = Path.of(AgentLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(jar.getFileName()).hasToString("mailtls-agent.jar");
        try (JarFile agent = new JarFile(jar.toFile())) {
            List<String> entries = agent.stream().map(JarEntry::getName).toList();
            assertThat(entries).contains("demo/jakarta.mail-2.0.1.jar", "demo/jakarta.activation-2.0.1.jar")
                    .noneMatch(name -> name.startsWith("jakarta/") || name.startsWith("com/sun/"));
        }
    }

    private static List<Path> demoTempFolders() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(file -> file.getFileName().toString().startsWith("mailtls-demo")).sorted().toList();
        }
    }
}
