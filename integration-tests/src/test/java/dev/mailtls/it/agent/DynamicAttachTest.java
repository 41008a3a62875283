package dev.mailtls.it.agent;

import static dev.mailtls.it.agent.AgentBed.delivered;
import static dev.mailtls.it.agent.AgentBed.subject;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code mailtls attach PID config=FILE} into an application that has already sent mail: its
 * {@code SMTPTransport} and {@code SocketFetcher} are loaded and have run before the agent
 * arrives, so only retransformation of loaded classes can put them under the policy. The first
 * message, before the attach, goes out in plaintext through the STARTTLS-stripping proxy (the
 * unprotected baseline); the second, after it, must be refused with nothing sensitive in clear.
 * The application runs on Java 17 and on Java 25; the attach command on the tests' own JDK.
 */
class DynamicAttachTest extends AgentBedTest {
    /** The oldest class-file version (1.4.7: Java 1.4), the last javax-era jakarta, and Angus 2's packages. */
    static Stream<Arguments> librariesAndJdks() {
        return Stream.of(MailLibrary.JAVAX_MAIL_1_4_7, MailLibrary.JAKARTA_MAIL_2_0_1, MailLibrary.ANGUS_MAIL_2_0_3)
                .flatMap(library -> Stream.of(Jdk.values()).map(jdk -> Arguments.of(library, jdk)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("librariesAndJdks")
    void attachedAgentGovernsMailClassesLoadedBeforeIt(MailLibrary library, Jdk jdk) {
        String subject = subject();
        SenderRun run = AgentBed.sampleSender(library, "mx.starttls-strip.test", 25, subject, "wait-then-send")
                .javaHome(jdk.home());
        if (jdk.feature() >= 21) {
            // Java 21+ warns about agents loaded into a running JVM unless it is told to expect them (JEP 451).
            run.jvmOption("-XX:+EnableDynamicAgentLoading");
        }
        SenderRun.Running app = run.start();
        app.awaitLine("READY", Duration.ofMinutes(1));

        assertThat(bed.stripProxy().cleartextSensitiveCommands()).as("before the attach: " + bed.stripProxy().report())
                .anyMatch(command -> command.startsWith("MAIL FROM"));
        assertThat(delivered("starttls-strip.test", subject + "-first").arrivedOverTls()).isFalse();
        bed.stripProxy().clearLog();

        String attach = attach(app.pid(), AgentBed.configFile(dir, "mailtls.level = dane-only"));
        app.writeLine("send");
        SenderRun.Result result = app.finish();

        assertThat(attach).contains("MailTLS Guard attached to JVM " + app.pid());
        assertThat(result.stdout()).as(result.toString()).contains("FIRST SENT");
        assertThat(result.stderr()).as(result.toString()).contains("MailTLS Guard enforcing")
                .doesNotContain("Dynamic loading of agents");
        assertThat(result.outcome()).as(result.toString())
                .startsWith("FAILED " + library.smtpPackage() + ".SMTPSendFailedException: 454 4.7.4 TLS is required, but was not offered");
        AgentBed.assertNothingSensitiveInClear(bed.stripProxy());
        assertThat(bed.mailboxes().messages("starttls-strip.test")).hasSize(1);
    }

    /** Runs {@code java -jar mailtls-agent.jar attach PID config=FILE}; returns its output, failing unless it exits 0. */
    private static String attach(long pid, Path config) {
        List<String> command = List.of(SenderRun.TEST_JAVA_HOME.resolve("bin").resolve("java").toString(), "-jar",
                SenderRun.AGENT_JAR.toString(), "attach", String.valueOf(pid), "config=" + config);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("attach did not end within 2 minutes: " + command);
            }
            assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
