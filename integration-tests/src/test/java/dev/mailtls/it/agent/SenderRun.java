package dev.mailtls.it.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One run of the sample sender application in a JVM of its own, with or without the agent: a
 * fresh JVM is what the agent meets in production (premain before any mail class loads).
 */
public final class SenderRun {
    /** The agent jar the build made. */
    public static final Path AGENT_JAR = Path.of("..", "agent", "target", "mailtls-agent.jar").toAbsolutePath().normalize();

    /** The JDK the tests run on, the default for the applications too. */
    public static final Path TEST_JAVA_HOME = Path.of(System.getProperty("java.home"));

    private Path javaHome = TEST_JAVA_HOME;
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> classPath = new ArrayList<>();
    private String agentArguments;
    private String mainClass = "SampleSender";
    private Path executableJar;
    private final List<String> arguments = new ArrayList<>();

    /** The sample sender built against {@code library}. */
    public static SenderRun sampleSender(MailLibrary library) {
        SenderRun run = new SenderRun();
        run.classPath.add(SampleApps.compiled(library).toString());
        for (Path jar : library.jars()) {
            run.classPath.add(jar.toAbsolutePath().toString());
        }
        return run;
    }

    /** The sample application of {@code sender}, on its jars and its mail library's. */
    public static SenderRun senderApp(SenderLibrary sender) {
        SenderRun run = new SenderRun();
        run.classPath.add(SampleApps.compiled(sender).toString());
        for (Path jar : sender.jars()) {
            run.classPath.add(jar.toAbsolutePath().toString());
        }
        run.mainClass = sender.mainClass();
        return run;
    }

    /** A plain application: {@code mainClass} on {@code classPath}. */
    public static SenderRun application(List<Path> classPath, String mainClass) {
        SenderRun run = new SenderRun();
        classPath.forEach(entry -> run.classPath.add(entry.toAbsolutePath().toString()));
        run.mainClass = mainClass;
        return run;
    }

    /** An executable jar, run with {@code java -jar}. */
    public static SenderRun executableJar(Path jar) {
        SenderRun run = new SenderRun();
        run.executableJar = jar.toAbsolutePath();
        return run;
    }

    /** Runs on the JDK at {@code home} instead of the test's own. */
    public SenderRun javaHome(Path home) {
        this.javaHome = home;
        return this;
    }

    /** Attaches the agent with this argument string ({@code config=FILE}); without it, no agent. */
    public SenderRun agent(String arguments) {
        this.agentArguments = arguments;
        return this;
    }

    public SenderRun jvmOption(String option) {
        jvmOptions.add(option);
        return this;
    }

    public SenderRun arguments(String... values) {
        arguments.addAll(List.of(values));
        return this;
    }

    /** Runs the application to its end (at most two minutes) and returns what it printed. */
    public Result run() {
        List<String> command = command();
        try {
            Path out = Files.createTempFile("sender", ".out");
            Path err = Files.createTempFile("sender", ".err");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("the sample application did not end within 2 minutes: " + command);
            }
            Result result = new Result(command, process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts the application and returns at once, for one that waits for input (style
     * {@code wait-then-send}): its standard output is read as it comes, its input can be written.
     */
    public Running start() {
        List<String> command = command();
        try {
            Path err = Files.createTempFile("sender", ".err");
            Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
            return new Running(command, process, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        if (agentArguments != null) {
            command.add("-javaagent:" + AGENT_JAR + (agentArguments.isEmpty() ? "" : "=" + agentArguments));
        }
        command.addAll(jvmOptions);
        if (executableJar != null) {
            command.add("-jar");
            command.add(executableJar.toString());
        } else {
            command.add("-cp");
            command.add(String.join(java.io.File.pathSeparator, classPath));
            command.add(mainClass);
        }
        command.addAll(arguments);
        return command;
    }

    /** A started application: its process id, its output so far, a line to its input, its end. */
    public static final class Running {
        private final List<String> command;
        private final Process process;
        private final Path err;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuffer stdout = new StringBuffer();
        private final Thread reader;

        private Running(List<String> command, Process process, Path err) {
            this.command = command;
            this.process = process;
            this.err = err;
            this.reader = new Thread(this::readOutput, "sample-app-stdout-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        private void readOutput() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    stdout.append(line).append('\n');
                    lines.add(line);
                }
            } catch (IOException e) {
                stdout.append("(reading the output failed: ").append(e).append(")\n");
            }
        }

        public long pid() {
            return process.pid();
        }

        /** Waits (at most {@code limit}) for an output line equal to {@code expected}; fails otherwise. */
        public void awaitLine(String expected, Duration limit) {
            long deadline = System.nanoTime() + limit.toNanos();
            try {
                while (System.nanoTime() < deadline) {
                    String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (expected.equals(line)) {
                        return;
                    }
                    if (line == null && !process.isAlive()) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
            throw new AssertionError("no line \"" + expected + "\" from the application within " + limit + "; "
                    + finish());
        }

        /** Writes one line to the application's standard input. */
        public void writeLine(String line) {
            try {
                OutputStream in = process.getOutputStream();
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits (at most two minutes) for the application to end and returns what it printed. */
        public Result finish() {
            try {
                if (!process.waitFor(2, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("the sample application did not end within 2 minutes: " + command);
                }
                reader.join(TimeUnit.SECONDS.toMillis(10));
                Result result = new Result(command, process.exitValue(), stdout.toString(),
                        Files.readString(err, StandardCharsets.UTF_8));
                Files.delete(err);
                return result;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static String classPath(List<Path> jars) {
        return jars.stream().map(path -> path.toAbsolutePath().toString()).collect(Collectors.joining(java.io.File.pathSeparator));
    }

    /**
     * What one scenario of a run came to.
     *
     * @param outcome {@code SENT} or {@code FAILED <class>: <message>}
     * @param causes the failure's cause chain, outermost first
     * @param log what the application and the agent wrote to standard error during the scenario
     */
    public record ScenarioOutcome(String name, String outcome, List<String> causes, String log) {
        public boolean sent() {
            return outcome.equals("SENT");
        }

        /** The failure the application caught and every cause under it; empty after success. */
        public List<String> failureChain() {
            if (sent()) {
                return List.of();
            }
            List<String> chain = new ArrayList<>(List.of(outcome));
            chain.addAll(causes);
            return chain;
        }
    }

    /** What the application printed: its {@code RESULT} line, and the agent's log on stderr. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** The application's verdict: {@code SENT} or {@code FAILED <class>: <message>}. */
        public String outcome() {
            return stdout.lines().filter(line -> line.startsWith("RESULT ")).map(line -> line.substring(7)).findFirst()
                    .orElseThrow(() -> new AssertionError("no RESULT line; " + this));
        }

        /** The {@code CAUSE} lines after a {@code RESULT FAILED}: the failure's cause chain, outermost first. */
        public List<String> causes() {
            return stdout.lines().filter(line -> line.startsWith("CAUSE ")).map(line -> line.substring(6)).toList();
        }

        public boolean sent() {
            return outcome().equals("SENT");
        }

        /**
         * What the application printed for one {@code scenario} of a run of several (see
         * {@code SampleOutput}), with the log lines it wrote to standard error meanwhile; fails
         * when the application printed no outcome for it.
         */
        public ScenarioOutcome scenario(String scenario) {
            String outcomePrefix = "OUTCOME " + scenario + " ";
            String causePrefix = "CAUSE " + scenario + " ";
            String outcome = stdout.lines().filter(line -> line.startsWith(outcomePrefix))
                    .map(line -> line.substring(outcomePrefix.length())).findFirst()
                    .orElseThrow(() -> new AssertionError("no outcome of scenario " + scenario + "; " + this));
            List<String> causes = stdout.lines().filter(line -> line.startsWith(causePrefix))
                    .map(line -> line.substring(causePrefix.length())).toList();
            StringBuilder log = new StringBuilder();
            boolean inside = false;
            for (String line : stderr.lines().toList()) {
                if (line.startsWith("BEGIN ")) {
                    inside = line.equals("BEGIN " + scenario);
                } else if (inside) {
                    log.append(line).append('\n');
                }
            }
            return new ScenarioOutcome(scenario, outcome, causes, log.toString());
        }

        @Override
        public String toString() {
            return "exit " + exitCode + " of " + String.join(" ", command) + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
