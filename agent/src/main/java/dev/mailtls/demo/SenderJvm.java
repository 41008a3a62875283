package dev.mailtls.demo;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Runs the {@link dev.mailtls.demo.app.SampleSender} application in a JVM of its own (the same {@code java} binary),
 * once per scenario, with or without {@code -javaagent}: a fresh JVM is what the agent meets in
 * production. The application's class path is only the Jakarta Mail jars that the agent jar
 * carries under {@code demo/} and the application's own class file, extracted to a folder of the
 * demo: the agent jar is not on it.
 */
final class SenderJvm {
    private static final String NESTED_JARS = "demo/";
    /** By name: loading the class here would need Jakarta Mail, which only the application's JVM has. */
    private static final String APPLICATION = "dev.mailtls.demo.app.SampleSender";
    private static final long TIMEOUT_SECONDS = 60;

    private final Path agentJar;
    private final Path folder;
    private final String classPath;
    private final Path hostsFile;

    private SenderJvm(Path agentJar, Path folder, String classPath, Path hostsFile) {
        this.agentJar = agentJar;
        this.folder = folder;
        this.classPath = classPath;
        this.hostsFile = hostsFile;
    }

    /**
     * Extracts the application and its mail library from {@code agentJar} into {@code folder}.
     *
     * @param hostsFile the application JVM's {@code jdk.net.hosts.file}: the demo's host names on 127.0.0.1
     */
    static SenderJvm extract(Path agentJar, Path folder, Path hostsFile) throws IOException {
        String appClass = APPLICATION.replace('.', '/') + ".class";
        Path appFolder = Files.createDirectories(folder.resolve("app"));
        Path libFolder = Files.createDirectories(folder.resolve("lib"));
        List<String> classPath = new ArrayList<String>();
        classPath.add(appFolder.toString());
        try (JarFile jar = new JarFile(agentJar.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements();) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.startsWith(NESTED_JARS) && name.endsWith(".jar") && name.indexOf('/', NESTED_JARS.length()) < 0) {
                    Path target = libFolder.resolve(name.substring(NESTED_JARS.length()));
                    copy(jar, entry, target);
                    classPath.add(target.toString());
                }
            }
        }
        // Through the class loader: the agent jar keeps its classes where only the agent's own loader finds them.
        try (InputStream in = SenderJvm.class.getClassLoader().getResourceAsStream(appClass)) {
            if (in != null) {
                Files.createDirectories(appFolder.resolve(appClass).getParent());
                Files.copy(in, appFolder.resolve(appClass), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (classPath.size() < 2 || !Files.exists(appFolder.resolve(appClass))) {
            throw new IOException(agentJar + " lacks the demo's application (" + appClass + ") or its mail library ("
                    + NESTED_JARS + "*.jar); rebuild it with Maven");
        }
        Files.createDirectories(folder.resolve("tmp"));
        return new SenderJvm(agentJar, folder, String.join(File.pathSeparator, classPath), hostsFile);
    }

    private static void copy(JarFile jar, JarEntry entry, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try (InputStream in = jar.getInputStream(entry)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Runs the application until it ends: it logs in to {@code host:port} and sends one message.
     *
     * @param agentConfig the agent's configuration file, or {@code null} to run without the agent
     */
    SenderRun run(String host, int port, Path agentConfig) throws IOException, InterruptedException {
        List<String> command = new ArrayList<String>();
        command.add(new File(new File(System.getProperty("java.home"), "bin"), "java").getPath());
        if (agentConfig != null) {
            command.add("-javaagent:" + agentJar + "=config=" + agentConfig);
        }
        command.addAll(Arrays.asList(
                // A short-lived JVM on two shared cores: the quick compiler and one GC thread start fastest.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Djdk.net.hosts.file=" + hostsFile,
                // Whatever the JVM or the agent writes to the temporary folder is deleted with the demo's.
                "-Djava.io.tmpdir=" + folder.resolve("tmp"),
                "-cp", classPath, APPLICATION,
                host, Integer.toString(port), "demo-user", "s3cret-demo-password"));
        File stdout = folder.resolve("sender.out").toFile();
        File stderr = folder.resolve("sender.err").toFile();
        Process process = new ProcessBuilder(command).redirectOutput(stdout).redirectError(stderr).start();
        boolean finished = false;
        try {
            finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } finally {
            if (!finished) {
                // Timed out or interrupted: the demo leaves no process behind.
                process.destroyForcibly();
            }
        }
        if (!finished) {
            throw new IOException("the sample application did not finish within " + TIMEOUT_SECONDS + " s: "
                    + String.join(" ", command));
        }
        return new SenderRun(read(stdout), read(stderr), process.exitValue());
    }

    private static String read(File file) throws IOException {
        return new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    }
}
