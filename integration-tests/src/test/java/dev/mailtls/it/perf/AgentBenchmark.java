package dev.mailtls.it.perf;

import dev.mailtls.it.agent.MailLibrary;
import dev.mailtls.it.bed.BedProperties;
import dev.mailtls.it.bed.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The agent against the stock mail library it instruments, side by side on the loopback test bed:
 * the same unmodified application ({@link LoopSender}) sends messages over STARTTLS to the bed's
 * Postfix, one fresh connection per message ({@code Transport.send}), once in a JVM without the
 * agent (the library's own TLS, {@code ssl.trust=*}) and once in a JVM with it (level
 * {@code dane-only}: every connection DANE-verified against DNSSEC-validated TLSA records). The
 * two kinds of run alternate (ABBA) over several rounds, so drift of the machine hits both alike.
 *
 * <p>Measured per JVM: messages per second after a few unmeasured messages, the time from
 * launching the JVM to the first message accepted by Postfix, and VmRSS after the last message.
 * Beside them, for the analysis: the processor time the JVM spent up to the first message (all
 * its threads), which tells how much work the agent adds whatever the load of a shared machine,
 * and VmRSS right after the first message, the cost of starting before the heap grows with the
 * messages (and differently on each side: see {@code docs/performance.md}).
 * Printed: each run, then the medians and their ratios against the targets of the issue. A
 * program, not a test: timing has no place in the test suite. Run it as root, from
 * {@code integration-tests/} (see {@code docs/performance.md}):
 *
 * <pre>
 * mvn -B -ntp -q -pl integration-tests -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/benchmark.classpath
 * cd integration-tests
 * java -cp target/test-classes:$(cat target/benchmark.classpath) dev.mailtls.it.perf.AgentBenchmark [--messages 100] [--rounds 3] [--library angus-mail-2.0.3]
 * </pre>
 *
 * <p>{@code --jvm-option OPTION} (repeatable) gives both JVMs the same option, e.g. {@code -Xmx64m}
 * to bound the heap on both sides; the measurements use none.
 *
 * <p>{@code --hold} measures nothing: it brings the bed up, prints the command lines of both
 * JVMs and keeps the bed running until its standard input ends, for profiling one side by hand.
 */
public final class AgentBenchmark {
    private static final String HOST = "mx.dane-ok.test";
    private static final String RECIPIENT = "user@dane-ok.test";
    /** Messages sent before the measured ones in every JVM: class loading, JIT and connection set-up settle. */
    private static final int WARMUP_MESSAGES = 5;
    private static final double TARGET_RATE_RATIO = 2.0;
    private static final double TARGET_FIRST_MESSAGE_RATIO = 1.2;
    private static final double TARGET_RESIDENT_MIB = 30;

    private AgentBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int messages = 100;
        int rounds = 3;
        boolean hold = false;
        List<String> jvmOptions = new ArrayList<>();
        MailLibrary library = MailLibrary.ANGUS_MAIL_2_0_3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--library" -> library = library(args[++i]);
                case "--hold" -> hold = true;
                case "--jvm-option" -> jvmOptions.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; allowed: --messages N, --rounds N, --library ID, --jvm-option OPTION, --hold");
            }
        }
        TestBed bed = TestBed.shared();
        bed.reset();
        String agent = agentArguments(bed);
        LoopSender sender = LoopSender.compile(library, jvmOptions);
        if (hold) {
            // For profiling one side by hand: the bed stays up until this program's input ends.
            System.out.println("bed up; the two JVMs of a round (add profiler options at will):");
            System.out.println(String.join(" ", sender.command(null, bed.hostsFile(), HOST, RECIPIENT, WARMUP_MESSAGES, messages)));
            System.out.println(String.join(" ", sender.command(agent, bed.hostsFile(), HOST, RECIPIENT, WARMUP_MESSAGES, messages)));
            System.out.println("press Ctrl-D to stop the bed");
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
            return;
        }
        System.out.printf(Locale.ROOT, "MailTLS Guard agent benchmark: %s, %d measured messages per JVM after %d unmeasured,"
                + " %d rounds; %s on %s, %d cores%s%n", library.id(), messages, WARMUP_MESSAGES, rounds,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(), jvmOptions.isEmpty() ? "" : "; both JVMs with " + jvmOptions);

        // Unmeasured: the resolver's cache and the page cache get the same head start for both sides.
        sender.run(null, bed.hostsFile(), HOST, RECIPIENT, 0, 2);
        sender.run(agent, bed.hostsFile(), HOST, RECIPIENT, 0, 2);

        List<LoopSender.Run> without = new ArrayList<>();
        List<LoopSender.Run> with = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            boolean agentFirst = round % 2 == 1;
            for (int side = 0; side < 2; side++) {
                boolean withAgent = (side == 0) == agentFirst;
                LoopSender.Run run = sender.run(withAgent ? agent : null, bed.hostsFile(), HOST, RECIPIENT, WARMUP_MESSAGES,
                        messages);
                (withAgent ? with : without).add(run);
                System.out.printf(Locale.ROOT, "round %d %-14s %7.1f messages/s  first message after %5d ms (%5d ms processor)"
                        + "  VmRSS %6.1f MiB after it, %6.1f MiB after the last%s%n",
                        round + 1, withAgent ? "with agent" : "without agent", run.rate(), run.firstMessageMillis(),
                        run.firstMessageCpuMillis(), run.firstResidentKib() / 1024.0, run.residentKib() / 1024.0,
                        withAgent ? "  (TLS: " + run.established() + " full handshakes, "
                                + run.reused() + " resumed)" : "");
            }
        }
        bed.reset();

        double rateWithout = median(without, LoopSender.Run::rate);
        double rateWith = median(with, LoopSender.Run::rate);
        double firstWithout = median(without, LoopSender.Run::firstMessageMillis);
        double firstWith = median(with, LoopSender.Run::firstMessageMillis);
        double cpuWithout = median(without, LoopSender.Run::firstMessageCpuMillis);
        double cpuWith = median(with, LoopSender.Run::firstMessageCpuMillis);
        double firstRssWithout = median(without, run -> run.firstResidentKib() / 1024.0);
        double firstRssWith = median(with, run -> run.firstResidentKib() / 1024.0);
        double rssWithout = median(without, run -> run.residentKib() / 1024.0);
        double rssWith = median(with, run -> run.residentKib() / 1024.0);
        System.out.println();
        System.out.println("| metric (median of " + rounds + " JVMs each) | without agent | with agent | with vs without | target | met |");
        System.out.println("|---|---|---|---|---|---|");
        row("messages/s over STARTTLS", rateWithout, rateWith, String.format(Locale.ROOT, "%.2f x", rateWith / rateWithout),
                "≥ " + TARGET_RATE_RATIO + " x", rateWith / rateWithout >= TARGET_RATE_RATIO);
        row("JVM launch to first message sent (ms)", firstWithout, firstWith,
                String.format(Locale.ROOT, "%.2f x", firstWith / firstWithout), "≤ " + TARGET_FIRST_MESSAGE_RATIO + " x",
                firstWith / firstWithout <= TARGET_FIRST_MESSAGE_RATIO);
        System.out.printf(Locale.ROOT, "| processor time of the JVM up to the first message (ms) | %.1f | %.1f | %+.0f ms | - | - |%n",
                cpuWithout, cpuWith, cpuWith - cpuWithout);
        System.out.printf(Locale.ROOT, "| VmRSS after the first message (MiB) | %.1f | %.1f | %+.1f MiB | - | - |%n",
                firstRssWithout, firstRssWith, firstRssWith - firstRssWithout);
        row("VmRSS after sending (MiB)", rssWithout, rssWith, String.format(Locale.ROOT, "%+.1f MiB", rssWith - rssWithout),
                "≤ +" + (int) TARGET_RESIDENT_MIB + " MiB", rssWith - rssWithout <= TARGET_RESIDENT_MIB);
    }

    private static void row(String metric, double without, double with, String comparison, String target, boolean met) {
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %s | %s | %s |%n", metric, without, with, comparison, target,
                met ? "yes" : "NO");
    }

    private static double median(List<LoopSender.Run> runs, ToDoubleFunction<LoopSender.Run> metric) {
        List<Double> values = runs.stream().map(metric::applyAsDouble).sorted(Comparator.naturalOrder()).toList();
        int middle = values.size() / 2;
        return values.size() % 2 == 1 ? values.get(middle) : (values.get(middle - 1) + values.get(middle)) / 2;
    }

    private static MailLibrary library(String id) {
        for (MailLibrary library : MailLibrary.values()) {
            if (library.id().equals(id)) {
                return library;
            }
        }
        throw new IllegalArgumentException("unknown mail library " + id + "; known: "
                + java.util.Arrays.stream(MailLibrary.values()).map(MailLibrary::id).toList());
    }

    /** The agent's configuration: the bed's resolver, trust anchor and CA, and DANE required everywhere. */
    private static String agentArguments(TestBed bed) throws IOException {
        Path folder = Files.createTempDirectory("mailtls-benchmark");
        Path file = folder.resolve("mailtls.properties");
        folder.toFile().deleteOnExit();
        file.toFile().deleteOnExit();
        Files.write(file, List.of(
                "mailtls.level = dane-only",
                "mailtls.dns.servers = " + bed.properties().getProperty(BedProperties.RESOLVER),
                "mailtls.dns.dnssec = validate",
                "mailtls.dns.trust-anchors = " + bed.properties().getProperty(BedProperties.TRUST_ANCHOR_DS_FILE),
                "mailtls.tls.trust-store = " + bed.certificates().caFile()));
        return "config=" + file;
    }
}
