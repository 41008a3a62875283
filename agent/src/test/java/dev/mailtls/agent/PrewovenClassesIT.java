package dev.mailtls.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a fresh JVM with the agent jar: an application whose mail library the agent jar has woven
 * already gets its mail classes without the agent ever weaving (no {@code AdviceWeaver}, no Byte
 * Buddy {@code Advice} loaded, per {@code -Xlog:class+load}); an application without one makes the
 * warm-up weave, which shows that the log would show it.
 */
class PrewovenClassesIT {
    private static final String WEAVER = "dev.mailtls.agent.AdviceWeaver ";
    private static final String ADVICE = "dev.mailtls.shaded.bytebuddy.asm.Advice ";

    @TempDir
    Path temporary;

    @Test
    void aPrewovenMailLibraryLoadsWithoutByteBuddysWeaving() throws Exception {
        Path library = Path.of("target", "prewoven-libraries", "javax-mail-1.6.2");
        List<String> loaded = loadedClasses(library.resolve("javax.mail-1.6.2.jar") + File.pathSeparator
                + library.resolve("activation-1.1.jar"), "mail classes loaded");

        assertThat(loaded).anyMatch(line -> line.contains("com.sun.mail.smtp.SMTPTransport "))
                .anyMatch(line -> line.contains("dev.mailtls.agent.PrewovenClasses "))
                .noneMatch(line -> line.contains(WEAVER) || line.contains(ADVICE));
    }

    @Test
    void withoutAMailLibraryTheWarmUpWeavesAdvice() throws Exception {
        List<String> loaded = loadedClasses(null, "no mail library");

        assertThat(loaded).anyMatch(line -> line.contains(WEAVER)).anyMatch(line -> line.contains(ADVICE));
    }

    /** The class-loading log of {@link PrewovenProbe} run with the agent and {@code classPath} besides. */
    private List<String> loadedClasses(String classPath, String expectedOutput) throws IOException, InterruptedException {
        Path log = temporary.resolve("class-load.log");
        Path output = temporary.resolve("output.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xlog:class+load=info:file=" + log,
                "-javaagent:" + Path.of("target", "mailtls-agent.jar").toAbsolutePath(), "-cp",
                Path.of("target", "test-classes") + (classPath == null ? "" : File.pathSeparator + classPath),
                PrewovenProbe.class.getName()));
        Process probe = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(probe.waitFor(2, TimeUnit.MINUTES)).as("the probe ended").isTrue();
        assertThat(Files.readString(output, StandardCharsets.UTF_8)).contains(expectedOutput);
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }
}
