package dev.mailtls.agent.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's class loader on a jar laid out as the build lays out the agent jar: classes under
 * {@code inst/} as {@code .classdata}, found only by this loader, which sees every JDK class but
 * nothing of the application.
 */
class AgentClassLoaderTest {
    private static final String PROBE = Probe.class.getName();
    private static final String PROBE_FILE = PROBE.replace('.', '/') + ".class";

    @TempDir
    Path folder;

    /** A class the jar under test carries; the test class path has it too, the platform class loader does not. */
    public static final class Probe {
    }

    private Path agentJar() throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_TITLE, "MailTLS Guard");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "9.9-test");
        Path jar = folder.resolve("agent.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            put(out, "inst/" + PROBE_FILE.replace(".class", ".classdata"), probeClassFile());
            put(out, "inst/notes/greeting.txt", "hello from inst".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    private static byte[] probeClassFile() throws IOException {
        try (InputStream in = AgentClassLoaderTest.class.getClassLoader().getResourceAsStream(PROBE_FILE)) {
            return in.readAllBytes();
        }
    }

    private static void put(JarOutputStream out, String name, byte[] content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(content);
        out.closeEntry();
    }

    private static String read(URL url) throws IOException {
        try (InputStream in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void loadsClassDataUnderInstWithTheJarsCodeSourceAndVersion() throws Exception {
        Path jar = agentJar();
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            AgentClassLoader loader = new AgentClassLoader(file, jar.toFile());

            Class<?> probe = Class.forName(PROBE, false, loader);

            assertThat(probe.getClassLoader()).isSameAs(loader);
            assertThat(probe).isNotSameAs(Probe.class);
            assertThat(probe.getPackage().getImplementationVersion()).isEqualTo("9.9-test");
            assertThat(probe.getProtectionDomain().getCodeSource().getLocation()).isEqualTo(jar.toUri().toURL());
        }
    }

    @Test
    void servesClassFilesAndResourcesFromInst() throws Exception {
        Path jar = agentJar();
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            AgentClassLoader loader = new AgentClassLoader(file, jar.toFile());

            // Byte Buddy reads the advice it inlines this way: X.class is served from X.classdata.
            assertThat(read(loader.getResource(PROBE_FILE))).isEqualTo(new String(probeClassFile(), StandardCharsets.ISO_8859_1));
            assertThat(read(loader.getResource("notes/greeting.txt"))).isEqualTo("hello from inst");
            assertThat(Collections.list(loader.getResources("notes/greeting.txt"))).hasSize(1);
            assertThat(loader.getResource("notes/missing.txt")).isNull();
        }
    }

    @Test
    void seesTheJdkButNotTheApplication() throws Exception {
        Path jar = agentJar();
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            AgentClassLoader loader = new AgentClassLoader(file, jar.toFile());

            assertThat(Class.forName("java.sql.Connection", false, loader)).as("a platform class loader class").isNotNull();
            assertThat(Class.forName("java.util.logging.Logger", false, loader)).isNotNull();
            assertThatThrownBy(() -> Class.forName(AgentClassLoaderTest.class.getName(), false, loader))
                    .as("a class on the application's class path only").isInstanceOf(ClassNotFoundException.class);
        }
    }
}
