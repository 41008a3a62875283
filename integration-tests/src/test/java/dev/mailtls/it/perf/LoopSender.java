package dev.mailtls.it.perf;

import dev.mailtls.it.agent.MailLibrary;
import dev.mailtls.it.agent.SenderRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The benchmark's application: an ordinary, unmodified sender that sends a number of messages one
 * after the other with the static {@code Transport.send} (a fresh SMTP connection per message, as
 * most applications do), asking for STARTTLS and trusting any certificate ({@code ssl.trust=*}),
 * the common configuration the agent is meant to replace. Compiled at run time for Java 8 against
 * one {@link MailLibrary}, like the integration tests' sample sender, and run in a JVM of its own.
 */
final class LoopSender {
    /** The application's source; {@code MAILAPI} becomes {@code javax} or {@code jakarta}. */
    private static final String SOURCE = """
            import MAILAPI.mail.Message;
            import MAILAPI.mail.MessagingException;
            import MAILAPI.mail.Session;
            import MAILAPI.mail.Transport;
            import MAILAPI.mail.internet.InternetAddress;
            import MAILAPI.mail.internet.MimeMessage;
            import java.io.BufferedReader;
            import java.io.FileReader;
            import java.util.Properties;

            /**
             * Arguments: HOST PORT RECIPIENT WARMUP COUNT. Sends WARMUP + COUNT messages, each with
             * Transport.send, and prints FIRST_SENT <epoch ms>, FIRST_CPU_TICKS <processor time of all
             * threads so far, in clock ticks> and FIRST_RSS_KB <VmRSS> after the first, RATE
             * <messages/s> over the last COUNT, RSS_KB <VmRSS> after the last, and RESULT SENT (or
             * RESULT FAILED ...).
             */
            public class LoopSender {
                public static void main(String[] args) throws Exception {
                    String host = args[0];
                    int warmup = Integer.parseInt(args[3]);
                    int count = Integer.parseInt(args[4]);
                    Properties props = new Properties();
                    props.setProperty("mail.smtp.host", host);
                    props.setProperty("mail.smtp.port", args[1]);
                    props.setProperty("mail.smtp.connectiontimeout", "20000");
                    props.setProperty("mail.smtp.timeout", "20000");
                    props.setProperty("mail.smtp.starttls.enable", "true");
                    props.setProperty("mail.smtp.ssl.trust", "*");
                    Session session = Session.getInstance(props);
                    long start = System.nanoTime();
                    try {
                        for (int i = 0; i < warmup + count; i++) {
                            if (i == warmup) {
                                start = System.nanoTime();
                            }
                            MimeMessage message = new MimeMessage(session);
                            message.setFrom(new InternetAddress("sender@client.test"));
                            message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(args[2]));
                            message.setSubject("benchmark message " + i);
                            message.setText("A message from the MailTLS Guard benchmark.\\n");
                            Transport.send(message);
                            if (i == 0) {
                                System.out.println("FIRST_SENT " + System.currentTimeMillis());
                                System.out.println("FIRST_CPU_TICKS " + processorTicks());
                                System.out.println("FIRST_RSS_KB " + residentKib());
                            }
                        }
                    } catch (MessagingException e) {
                        System.out.println("RESULT FAILED " + e.getClass().getName() + ": "
                                + String.valueOf(e.getMessage()).replace('\\n', ' '));
                        return;
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.println("RATE " + (count / seconds));
                    System.out.println("RSS_KB " + residentKib());
                    System.out.println("RESULT SENT");
                }

                /** utime + stime of /proc/self/stat: every thread of this JVM (JIT and GC included). */
                private static long processorTicks() throws Exception {
                    BufferedReader stat = new BufferedReader(new FileReader("/proc/self/stat"));
                    try {
                        String line = stat.readLine();
                        // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
                        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
                        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    } finally {
                        stat.close();
                    }
                }

                private static long residentKib() throws Exception {
                    BufferedReader status = new BufferedReader(new FileReader("/proc/self/status"));
                    try {
                        for (String line = status.readLine(); line != null; line = status.readLine()) {
                            if (line.startsWith("VmRSS:")) {
                                return Long.parseLong(line.substring(6).trim().split("\\\\s+")[0]);
                            }
                        }
                        return -1;
                    } finally {
                        status.close();
                    }
                }
            }
            """;

    private final MailLibrary library;
    private final Path compiled;
    private final List<String> jvmOptions;

    private LoopSender(MailLibrary library, Path compiled, List<String> jvmOptions) {
        this.library = library;
        this.compiled = compiled;
        this.jvmOptions = jvmOptions;
    }

    /**
     * The application built against {@code library}, in {@code target/perf-apps/ID/}.
     *
     * @param jvmOptions options for its JVM, the same on both sides (none for the measurements)
     */
    static LoopSender compile(MailLibrary library, List<String> jvmOptions) {
        try {
            Path folder = Files.createDirectories(Path.of("target", "perf-apps", library.id()).toAbsolutePath());
            Path source = folder.resolve("LoopSender.java");
            Files.writeString(source, SOURCE.replace("MAILAPI", library.api()));
            List<String> arguments = List.of("--release", "8", "-nowarn", "-Xlint:-options", "-d", folder.toString(),
                    "-cp", classPath(library.jars()), source.toString());
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            if (compiler.run(null, null, null, arguments.toArray(new String[0])) != 0) {
                throw new IllegalStateException("the benchmark's sender did not compile against " + library.id());
            }
            return new LoopSender(library, folder, List.copyOf(jvmOptions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the application once in a new JVM and waits for it (at most ten minutes).
     *
     * @param agentArguments the agent's argument string, or {@code null} to run without the agent
     */
    Run run(String agentArguments, Path hostsFile, String host, String recipient, int warmup, int count) {
        List<String> command = command(agentArguments, hostsFile, host, recipient, warmup, count);
        try {
            Path out = Files.createTempFile("perf-sender", ".out");
            Path err = Files.createTempFile("perf-sender", ".err");
            long launched = System.currentTimeMillis();
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("the benchmark's sender did not end within 10 minutes: " + command);
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Files.delete(out);
            Files.delete(err);
            return Run.parse(agentArguments != null, launched, stdout, stderr, command, process.exitValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The command line of one run; see {@link #run}. */
    List<String> command(String agentArguments, Path hostsFile, String host, String recipient, int warmup, int count) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (agentArguments != null) {
            command.add("-javaagent:" + SenderRun.AGENT_JAR + "=" + agentArguments);
        }
        command.addAll(jvmOptions);
        command.add("-Djdk.net.hosts.file=" + hostsFile);
        command.add("-cp");
        List<Path> path = new ArrayList<>(List.of(compiled));
        path.addAll(library.jars());
        command.add(classPath(path));
        command.add("LoopSender");
        command.addAll(List.of(host, "25", recipient, Integer.toString(warmup), Integer.toString(count)));
        return command;
    }

    private static String classPath(List<Path> entries) {
        return entries.stream().map(entry -> entry.toAbsolutePath().toString()).collect(Collectors.joining(java.io.File.pathSeparator));
    }

    /**
     * What one JVM measured.
     *
     * @param rate messages per second over the measured messages
     * @param firstMessageMillis from just before the JVM was launched to the first message's
     *     {@code Transport.send} returning
     * @param firstMessageCpuMillis processor time of the whole JVM (all its threads) until the first
     *     message's {@code Transport.send} returned: unlike the elapsed time, it hardly depends on
     *     what else the machine is doing
     * @param firstResidentKib VmRSS right after the first message: what starting cost, before the
     *     heap grows with the messages sent
     * @param residentKib VmRSS after the last message
     * @param established TLS connections the agent logged as fully verified handshakes
     * @param reused TLS connections the agent logged as resumed sessions
     */
    record Run(boolean withAgent, double rate, long firstMessageMillis, long firstMessageCpuMillis, long firstResidentKib,
            long residentKib, int established, int reused) {
        /** Linux's USER_HZ, the unit of /proc/PID/stat's times on every architecture the bed runs on. */
        private static final int CLOCK_TICKS_PER_SECOND = 100;

        static Run parse(boolean withAgent, long launched, String stdout, String stderr, List<String> command, int exit) {
            String result = value(stdout, "RESULT ");
            if (!"SENT".equals(result)) {
                throw new IllegalStateException("the benchmark's sender failed (exit " + exit + ", " + result + "): "
                        + String.join(" ", command) + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr);
            }
            if (withAgent && !stderr.contains("Verified TLS connection")) {
                throw new IllegalStateException("the agent did not log a DANE-verified connection:\n" + stderr);
            }
            return new Run(withAgent, Double.parseDouble(value(stdout, "RATE ")),
                    Long.parseLong(value(stdout, "FIRST_SENT ")) - launched,
                    Long.parseLong(value(stdout, "FIRST_CPU_TICKS ")) * 1000 / CLOCK_TICKS_PER_SECOND,
                    Long.parseLong(value(stdout, "FIRST_RSS_KB ")), Long.parseLong(value(stdout, "RSS_KB ")),
                    count(stderr, "TLS connection established to "), count(stderr, "TLS connection reused to "));
        }

        private static String value(String output, String prefix) {
            return output.lines().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length()).trim())
                    .findFirst().orElse(null);
        }

        private static int count(String output, String text) {
            return (int) output.lines().filter(line -> line.contains(text)).count();
        }
    }
}
