package dev.mailtls.it.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The agent jar the build made: it lives on the host application's class path, so everything it
 * carries must be relocated under {@code dev.mailtls}, and nothing of a shaded library may register
 * itself with the host JVM (service providers, module descriptors, multi-release variants).
 */
class AgentJarTest {
    private static final Path AGENT_JAR = Path.of("..", "agent", "target", "mailtls-agent.jar");

    private static List<String> entries() throws IOException {
        try (JarFile jar = new JarFile(AGENT_JAR.toFile())) {
            return Collections.list(jar.entries()).stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void everyClassLivesUnderTheProjectsPackage() throws IOException {
        assertThat(entries()).filteredOn(name -> name.endsWith(".class"))
                .isNotEmpty()
                .allSatisfy(name -> assertThat(name).startsWith("dev/mailtls/"));
        assertThat(entries()).contains("dev/mailtls/shaded/dnsjava/Message.class",
                "dev/mailtls/shaded/bytebuddy/agent/builder/AgentBuilder.class");
    }

    @Test
    void nothingRegistersItselfWithTheHostJvm() throws IOException {
        assertThat(entries()).noneMatch(name -> name.startsWith("META-INF/services/"))
                .noneMatch(name -> name.startsWith("META-INF/versions/"))
                .noneMatch(name -> name.endsWith("module-info.class"));
    }

    @Test
    void manifestNamesTheEntryPoints() throws IOException {
        try (JarFile jar = new JarFile(AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertThat(main.getValue("Main-Class")).isEqualTo("dev.mailtls.cli.Main");
            assertThat(main.getValue("Premain-Class")).isEqualTo("dev.mailtls.agent.AgentMain");
            assertThat(main.getValue("Agent-Class")).isEqualTo("dev.mailtls.agent.AgentMain");
            assertThat(main.getValue("Can-Retransform-Classes")).isEqualTo("true");
            assertThat(main.getValue("Multi-Release")).isNull();
        }
    }
}
