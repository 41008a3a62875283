package dev.mailtls.it.jamesserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Apache James 3.8.1 memory server in a JVM of its own, with MailTLS Guard's javax mailet
 * jar in its {@code extensions-jars}: the distribution that this module's build lays out in
 * {@code target/james-3.8.1/} (from Maven Central), started as its documentation says
 * ({@code java -Dworking.directory=DIR -jar james-server-memory-app.jar}, in DIR) with the
 * configuration of {@code src/test/resources/james-3.8/conf/}: SMTP and WebAdmin on loopback ports
 * chosen free, nothing else listening, the relay processor of {@code james-mailet/README.md}.
 *
 * <p>The working directory is {@code target/james-3.8-server/} (recreated on every start, kept
 * afterwards for post-mortems: {@code james.log} holds everything James logged). The process is
 * stopped by {@link #close()}, and by a shutdown hook should the test JVM end first.
 *
 * <p>Public for the James delivery benchmark ({@code dev.mailtls.it.jamesbench}), which starts it
 * with other configuration files and JVM options through {@link Setup}.
 */
public final class JamesServer implements AutoCloseable {
    /** The distribution, as integration-tests/pom.xml lays it out. */
    static final Path HOME = Path.of("target", "james-3.8.1");
    static final Path APP = HOME.resolve("james-server-memory-app.jar");
    /** The mailet jar for James 3.8 (javax.mail), built by the james-mailet module. */
    static final Path MAILET_JAR = Path.of("..", "james-mailet", "target", "mailtls-james-mailet-javax.jar");
    static final Path WORK = Path.of("target", "james-3.8-server");
    /** The files of src/test/resources/james-3.8/conf/, copied to conf/ with the placeholders filled in. */
    private static final List<String> CONF = List.of("dnsservice.xml", "domainlist.xml", "jmap.properties",
            "jmx.properties", "jvm.properties", "logback.xml", "mailetcontainer.xml", "smtpserver.xml",
            "usersrepository.xml", "webadmin.properties");
    private static final String STARTED = "JAMES server started";
    private static final Duration START_LIMIT = Duration.ofSeconds(120);
    private static final String PID_FILE = "james.pid";

    /**
     * Variations on the standard start: {@code confResources} replaces files of conf/ by other
     * class path resources (conf file name to resource name, e.g. {@code "mailetcontainer.xml"} to
     * {@code "/james-3.8/bench/mailetcontainer-stock.xml"}); {@code values} adds placeholders to fill
     * in every conf file ({@code "@SPOOLER_THREADS@"} to {@code "4"}); {@code jvmOptions} go on
     * James's command line before {@code -jar}.
     */
    public record Setup(Map<String, String> confResources, Map<String, String> values, List<String> jvmOptions) {
        /** The configuration of src/test/resources/james-3.8/conf/ as it is. */
        public static final Setup STANDARD = new Setup(Map.of(), Map.of(), List.of());

        public Setup {
            confResources = Map.copyOf(confResources);
            values = Map.copyOf(values);
            jvmOptions = List.copyOf(jvmOptions);
        }
    }

    private final Process process;
    private final Path work;
    private final Path log;
    private final InetSocketAddress smtp;
    private final WebAdmin webAdmin;
    private final Thread shutdownHook;
    private Duration startTime;

    private JamesServer(Process process, Path work, InetSocketAddress smtp, int webAdminPort, Thread shutdownHook) {
        this.process = process;
        this.work = work;
        this.log = work.resolve("james.log");
        this.smtp = smtp;
        this.webAdmin = new WebAdmin(new InetSocketAddress(InetAddress.getLoopbackAddress(), webAdminPort));
        this.shutdownHook = shutdownHook;
    }

    /**
     * Lays out the working directory and starts James with {@code java} of {@code javaHome}; returns
     * once James has logged that it started.
     *
     * @param mailtlsProperties the lines of the MailTLS Guard configuration (conf/mailtls.properties),
     *     which both the matcher (through conf/jvm.properties) and the mailet read
     * @throws IllegalStateException with James's log when it exits or does not start in time
     */
    static JamesServer start(Path javaHome, List<String> mailtlsProperties) throws IOException, InterruptedException {
        return start(javaHome, mailtlsProperties, Setup.STANDARD);
    }

    /**
     * {@link #start(Path, List)} with the variations of {@code setup}.
     *
     * @throws IllegalStateException with James's log when it exits or does not start in time
     */
    public static JamesServer start(Path javaHome, List<String> mailtlsProperties, Setup setup)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(APP)) {
            throw new IllegalStateException(APP.toAbsolutePath() + " is missing: the build lays it out in the"
                    + " generate-test-resources phase (maven-invoker-plugin, src/test/resources/james-3.8/server/pom.xml)");
        }
        if (!Files.isRegularFile(MAILET_JAR)) {
            throw new IllegalStateException(MAILET_JAR.toAbsolutePath() + " is missing: built by the james-mailet module's"
                    + " package phase (mvn -pl integration-tests -am ...)");
        }
        Path work = WORK.toAbsolutePath().normalize();
        stopLeftover(work);
        deleteRecursively(work);
        Files.createDirectories(work.resolve("conf"));
        Files.createDirectories(work.resolve("extensions-jars"));
        Files.copy(MAILET_JAR, work.resolve("extensions-jars").resolve(MAILET_JAR.getFileName()),
                StandardCopyOption.REPLACE_EXISTING);
        Path mailtlsConfig = work.resolve("conf").resolve("mailtls.properties");
        Files.write(mailtlsConfig, mailtlsProperties);

        int smtpPort = freePort();
        int webAdminPort = freePort();
        Map<String, String> values = new HashMap<>(setup.values());
        values.putAll(Map.of("@SMTP_PORT@", Integer.toString(smtpPort), "@WEBADMIN_PORT@",
                Integer.toString(webAdminPort), "@MAILTLS_CONFIG@", mailtlsConfig.toString()));
        for (String name : CONF) {
            String text = resource(setup.confResources().getOrDefault(name, "/james-3.8/conf/" + name));
            for (Map.Entry<String, String> value : values.entrySet()) {
                text = text.replace(value.getKey(), value.getValue());
            }
            Files.writeString(work.resolve("conf").resolve(name), text);
        }

        List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin").resolve("java").toString(),
                "-Xmx512m", "-Dworking.directory=" + work, "-Dlogback.configurationFile=" + work.resolve("conf/logback.xml")));
        command.addAll(setup.jvmOptions());
        command.addAll(List.of("-jar", APP.toAbsolutePath().normalize().toString()));
        Path log = work.resolve("james.log");
        long begin = System.nanoTime();
        // James reads conf/jvm.properties relative to its current directory: start it in the working directory.
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Files.writeString(work.resolve(PID_FILE), Long.toString(process.pid()));
        Thread hook = new Thread(() -> kill(process), "james-3.8-server-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        JamesServer server = new JamesServer(process, work, new InetSocketAddress(InetAddress.getLoopbackAddress(), smtpPort),
                webAdminPort, hook);
        long deadline = begin + START_LIMIT.toNanos();
        while (!server.log().contains(STARTED)) {
            if (!process.isAlive()) {
                server.close();
                throw new IllegalStateException("James exited with status " + process.exitValue() + " before it started;"
                        + " command " + command + "; its log " + log + ":\n" + server.logTail(60));
            }
            if (System.nanoTime() > deadline) {
                server.close();
                throw new IllegalStateException("James did not log \"" + STARTED + "\" within " + START_LIMIT.toSeconds()
                        + " s; command " + command + "; its log " + log + ":\n" + server.logTail(60));
            }
            Thread.sleep(100);
        }
        server.startTime = Duration.ofNanos(System.nanoTime() - begin);
        return server;
    }

    /** James's SMTP listener (no TLS, no AUTH; relays for 127.0.0.0/8). */
    public InetSocketAddress smtp() {
        return smtp;
    }

    public WebAdmin webAdmin() {
        return webAdmin;
    }

    public Path workingDirectory() {
        return work;
    }

    /** From the process start to James's "started" line. */
    public Duration startTime() {
        return startTime;
    }

    /** Everything James logged so far (standard output and error). */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What James logged up to and including its "started" line. */
    String startupLog() {
        String all = log();
        int started = all.indexOf(STARTED);
        return started < 0 ? all : all.substring(0, started + STARTED.length());
    }

    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * The first log line matching {@code regex} (found anywhere in the line), waiting up to
     * {@code limit} for it.
     *
     * @throws AssertionError with the log's tail when no line matched in time
     */
    public String awaitLogLine(String regex, Duration limit) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Optional<String> line = log().lines().filter(candidate -> pattern.matcher(candidate).find()).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no line of James's log matches /" + regex + "/ after " + limit.toSeconds() + " s;"
                        + " the log's tail (" + log + "):\n" + logTail(40));
            }
            Thread.sleep(100);
        }
    }

    /** Stops James (SIGTERM: its own shutdown, then after 20 s SIGKILL). */
    @Override
    public void close() {
        kill(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private static void kill(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the James of an earlier run whose test JVM was killed before it could stop it: the
     * process named in the working directory's pid file, if it is still a James of this working
     * directory (its command line says so).
     */
    private static void stopLeftover(Path work) throws IOException {
        Path pidFile = work.resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).trim());
        } catch (NumberFormatException unreadable) {
            return;
        }
        String marker = "-Dworking.directory=" + work;
        ProcessHandle.of(pid).filter(handle -> handle.info().commandLine().map(line -> line.contains(marker)).orElse(false))
                .ifPresent(leftover -> {
                    leftover.destroy();
                    try {
                        leftover.onExit().get(20, TimeUnit.SECONDS);
                    } catch (Exception stillRunning) {
                        leftover.destroyForcibly();
                    }
                });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = JamesServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
