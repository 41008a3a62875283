package dev.mailtls.it.jamesbench;

import dev.mailtls.it.bed.BedProperties;
import dev.mailtls.it.bed.DeliveredMessage;
import dev.mailtls.it.bed.SmtpTestClient;
import dev.mailtls.it.bed.TestBed;
import dev.mailtls.it.jamesserver.JamesServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Deliveries per second out of a real Apache James 3.8.1 ({@link JamesServer}, the memory
 * server from Maven Central) through MailTLS Guard's mailet against James's own
 * {@code RemoteDelivery}, to the same Postfix of the loopback test bed (127.0.0.2:25):
 *
 * <ul>
 *   <li><b>mailet</b>: the relay processor of james-mailet/README.md
 *       ({@code src/test/resources/james-3.8/bench/mailetcontainer-mailet.xml}), level
 *       {@code dane-only}: for each mail an MX lookup of {@code dane-ok.test} and a TLSA lookup,
 *       DNSSEC-validated through the bed's Unbound, STARTTLS and the DANE-EE check.</li>
 *   <li><b>stock</b>: {@code RemoteDelivery} with {@code startTLS=true} to the gateway
 *       127.0.0.2:25 ({@code mailetcontainer-stock.xml}); the chain checked against the bed's CA
 *       (James started with {@code -Djavax.net.ssl.trustStore}), the name not
 *       ({@code verifyServerIdentity=false}).</li>
 * </ul>
 *
 * <p>Both sides run in the same James, with the same JVM options (the trust store too), the same
 * number of spool threads and the same EHLO name. Every run starts a fresh James, sends it
 * unmeasured warm-up mails and waits until they have arrived and James's queues are empty, then
 * empties the Maildir of {@code dane-ok.test}; measured is the time from the first submission of
 * the run's mails (over one SMTP connection to James, one transaction after the other, as fast
 * as James accepts them) until the last of them is in Postfix's Maildir. With {@code --held} the
 * relay processor is entered through a processor {@code hold} that keeps the submitted mails in a
 * memory repository; once all are there and the spool is empty, they are released at once over
 * WebAdmin (reprocess to {@code relay}), and the time is measured from that release: delivery
 * only, without James's SMTP intake. Every mail must arrive exactly once, over TLS (Postfix's
 * {@code Received} line says {@code ESMTPS}), and every delivery must be in James's log: the
 * mailet's {@code status=sent} line, or RemoteDelivery's {@code sent successfully}. The sides
 * alternate, the first of each round changing (ABBA), so that drift of the shared machine hits
 * both alike. Printed per run besides the rate: James's CPU time per mail and how busy the
 * machine was (/proc) in the timed window.
 *
 * <p>Both sides deliver the same way, each at its defaults: in the spool thread ({@code --spool-threads})
 * the mail is only put into a James mail queue ({@code outgoing} for RemoteDelivery,
 * {@code mailtls-outgoing} for the mailet), and a pool of delivery threads takes it from there:
 * RemoteDelivery's on Reactor's bounded-elastic scheduler, 10 per core by default; the mailet's
 * {@code deliveryThreads}, by default the same number. {@code --remote-delivery-threads N} caps
 * RemoteDelivery's at N (the JVM option {@code -Dreactor.schedulers.defaultBoundedElasticSize=N},
 * given to both sides' James) and {@code --mailet-threads N} sets the mailet's.
 *
 * <p>A program, not a test. As root, from {@code integration-tests/} (see docs/performance.md):
 *
 * <pre>
 * mvn -B -ntp -q -pl integration-tests -am -DskipTests package
 * mvn -B -ntp -q -pl integration-tests -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test
 * cd integration-tests
 * java -cp target/test-classes:$(cat target/test.classpath) dev.mailtls.it.jamesbench.JamesDeliveryBenchmark \
 *     [--mails 200] [--rounds 3] [--spool-threads 4] [--warmup 100] [--held] [--remote-delivery-threads N] [--mailet-threads N]
 * </pre>
 */
public final class JamesDeliveryBenchmark {
    private static final String DOMAIN = "dane-ok.test";
    private static final String RECIPIENT = "user@" + DOMAIN;
    private static final String SENDER = "sender@james.local";
    private static final double TARGET_RATIO = 1.5;
    private static final Duration ARRIVAL_LIMIT = Duration.ofMinutes(5);
    private static final Duration SMTP_TIMEOUT = Duration.ofSeconds(60);
    /** After the last expected mail arrived: long enough for a duplicate to show. */
    private static final long SETTLE_MILLIS = 1_000;
    /** Where the mails wait with option --held (the processor hold of the benchmark's mailetcontainer files). */
    private static final String HOLD = "var/mail/hold";
    private static final String LEAK = "LeakAwareFinalizer - Leak detected!";
    /** The mailet's own James mail queue (its default outgoingQueue). */
    private static final String MAILET_QUEUE = "mailtls-outgoing";
    /** USER_HZ of /proc (100 on Linux x86-64). */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    /** The two ways out of James. */
    enum Side {
        MAILET("mailet (DANE)", "/james-3.8/bench/mailetcontainer-mailet.xml",
                "dev\\.mailtls\\.james\\.TlsPolicyDelivery - mailtls: \\S+: to=<" + Pattern.quote(RECIPIENT)
                        + ">, relay=mx\\.dane-ok\\.test\\[127\\.0\\.0\\.2\\]:25, (?:conn_use=\\d+, )?dsn=2\\.0\\.0, status=sent "),
        STOCK("stock RemoteDelivery", "/james-3.8/bench/mailetcontainer-stock.xml",
                "MailDelivrerToHost - Mail \\(.*\\) with messageId .* sent successfully to 127\\.0\\.0\\.2 at 127\\.0\\.0\\.2");

        final String label;
        final String mailetContainer;
        final Pattern sentLine;

        Side(String label, String mailetContainer, String sentLine) {
            this.label = label;
            this.mailetContainer = mailetContainer;
            this.sentLine = Pattern.compile(sentLine);
        }
    }

    /**
     * One measured run.
     *
     * @param seconds from the first submission to the last arrival
     * @param submitSeconds from the first submission to James's 250 for the last mail
     * @param fullHandshakes the mailet's "Verified TLS connection established" lines of the measured mails
     * @param resumed its "Verified TLS connection reused" lines
     * @param leaks James's "Leak detected!" lines while the measured mails went through
     * @param jamesCpuMillisPerMail CPU time of James's process (user and system) in the timed window, per mail
     * @param machineBusy share of the machine's CPU time (all cores) not idle in the timed window
     */
    record Run(Side side, int mails, double seconds, double submitSeconds, long fullHandshakes, long resumed, long leaks,
            double jamesCpuMillisPerMail, double machineBusy) {
        double rate() {
            return mails / seconds;
        }
    }

    private JamesDeliveryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int mails = 200;
        int rounds = 3;
        int spoolThreads = 4;
        int warmup = 100;
        boolean held = false;
        int remoteDeliveryThreads = 0;
        int mailetThreads = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mails" -> mails = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--spool-threads" -> spoolThreads = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--held" -> held = true;
                case "--remote-delivery-threads" -> remoteDeliveryThreads = Integer.parseInt(args[++i]);
                case "--mailet-threads" -> mailetThreads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; allowed: --mails N, --rounds N, --spool-threads N, --warmup N, --held, --remote-delivery-threads N,"
                        + " --mailet-threads N");
            }
        }
        TestBed bed = TestBed.shared();
        bed.reset();
        Path javaHome = Path.of(System.getenv().getOrDefault("MAILTLS_IT_JAMES_JAVA_HOME", System.getProperty("java.home")));
        Path trustStore = trustStore(bed);
        List<String> mailtls = List.of(
                "mailtls.level = dane-only",
                "mailtls.dns.servers = " + bed.properties().getProperty(BedProperties.RESOLVER),
                "mailtls.dns.dnssec = validate",
                "mailtls.dns.trust-anchors = " + bed.properties().getProperty(BedProperties.TRUST_ANCHOR_DS_FILE),
                "mailtls.dns.timeout = 3s",
                "mailtls.tls.trust-store = " + bed.certificates().caFile());
        List<String> jvmOptions = new ArrayList<>(List.of("-Djavax.net.ssl.trustStore=" + trustStore,
                "-Djavax.net.ssl.trustStoreType=PKCS12", "-Djavax.net.ssl.trustStorePassword=changeit"));
        if (remoteDeliveryThreads > 0) {
            // RemoteDelivery's outgoing-queue consumer runs on a Reactor bounded-elastic scheduler of
            // Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE threads (10 x cores), whatever the spool threads.
            jvmOptions.add("-Dreactor.schedulers.defaultBoundedElasticSize=" + remoteDeliveryThreads);
        }

        System.out.printf(Locale.ROOT, "James 3.8.1 delivery benchmark: %d measured mails per run after %d unmeasured, %d rounds,"
                + " %d spool threads, RemoteDelivery threads %s, mailet delivery threads %s, timed from %s; James on %s (%s),"
                + " load average %s, %d cores%n",
                mails, warmup, rounds, spoolThreads, remoteDeliveryThreads > 0 ? Integer.toString(remoteDeliveryThreads)
                        : "James's default (10 x " + Runtime.getRuntime().availableProcessors() + " cores)",
                mailetThreads > 0 ? Integer.toString(mailetThreads) : "the default (10 x " + Runtime.getRuntime()
                        .availableProcessors() + " cores)", held ? "the release of the held mails (--held)" : "the first submission",
                javaHome, javaVersion(javaHome), loadAverage(), Runtime.getRuntime().availableProcessors());

        List<Run> runs = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            boolean mailetFirst = round % 2 == 0;
            for (int turn = 0; turn < 2; turn++) {
                Side side = (turn == 0) == mailetFirst ? Side.MAILET : Side.STOCK;
                JamesServer.Setup setup = new JamesServer.Setup(
                        Map.of("mailetcontainer.xml", side.mailetContainer, "logback.xml", "/james-3.8/bench/logback.xml"),
                        Map.of("@SPOOLER_THREADS@", Integer.toString(spoolThreads), "@RELAY_ENTRY@", held ? "hold" : "relay",
                                "@MAILET_THREADS@", mailetThreads > 0 ? Integer.toString(mailetThreads)
                                        : Integer.toString(10 * Runtime.getRuntime().availableProcessors())),
                        jvmOptions);
                Run run = run(bed, javaHome, mailtls, setup, side, warmup, mails, held);
                runs.add(run);
                System.out.printf(Locale.ROOT, "round %d %-21s %7.1f deliveries/s  %d mails in %6.2f s (submission took %5.2f s)"
                        + "  James CPU %4.1f ms/mail  machine busy %3.0f %%  load %s  leak warnings %d%s%n", round + 1,
                        side.label, run.rate(), run.mails(), run.seconds(), run.submitSeconds(), run.jamesCpuMillisPerMail(),
                        run.machineBusy() * 100, loadAverage(), run.leaks(), side == Side.MAILET ? "  (TLS: " + run.fullHandshakes() + " full handshakes, "
                                + run.resumed() + " resumed)" : "");
            }
        }
        bed.reset();

        double mailet = median(runs, Side.MAILET);
        double stock = median(runs, Side.STOCK);
        double ratio = mailet / stock;
        System.out.println();
        System.out.println("| metric (median of " + rounds + " runs each) | stock RemoteDelivery | mailet (DANE) | mailet ÷ stock"
                + " | target | met |");
        System.out.println("|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| deliveries/s, %d mails, %d spool threads, %s | %.1f | %.1f | %.2f x | ≥ %.1f x | %s |%n",
                mails, spoolThreads, held ? "held, then released" : "from submission", stock, mailet, ratio, TARGET_RATIO, ratio >= TARGET_RATIO ? "yes" : "NO");
    }

    /** One James, warmed up, then the measured mails. */
    private static Run run(TestBed bed, Path javaHome, List<String> mailtls, JamesServer.Setup setup, Side side, int warmup,
            int mails, boolean held) throws Exception {
        bed.mailboxes().clear(DOMAIN);
        try (JamesServer james = JamesServer.start(javaHome, mailtls, setup)) {
            if (warmup > 0) {
                deliver(bed, james, side, "warmup", warmup, held);
            }
            awaitIdle(james);
            bed.mailboxes().clear(DOMAIN);
            if (bed.mailboxes().count(DOMAIN) != 0) {
                throw new IllegalStateException("the Maildir of " + DOMAIN + " is not empty after clearing it");
            }
            return deliver(bed, james, side, "run", mails, held);
        }
    }

    /**
     * Submits {@code mails} mails and waits until all have arrived, then checks them. Timed from the
     * first submission, or, {@code held}, from the release of the held mails, to the last arrival.
     */
    private static Run deliver(TestBed bed, JamesServer james, Side side, String tag, int mails, boolean held)
            throws Exception {
        String logBefore = james.log();
        long pid = Long.parseLong(Files.readString(james.workingDirectory().resolve("james.pid")).trim());
        long[] submitted = new long[1];
        long jamesTicks = processTicks(pid);
        long[] machine = machineTicks();
        long begin = System.nanoTime();
        Set<String> subjects = submit(james, tag, mails, submitted);
        double submitSeconds = (submitted[0] - begin) / 1e9;
        if (held) {
            long deadline = System.nanoTime() + ARRIVAL_LIMIT.toNanos();
            while (james.webAdmin().repositorySize(HOLD) < mails || james.webAdmin().mailQueueSize("spool") > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the " + mails + " mails did not all reach " + HOLD);
                }
                Thread.sleep(20);
            }
            if (bed.mailboxes().count(DOMAIN) != 0) {
                throw new IllegalStateException("held mails left James");
            }
            jamesTicks = processTicks(pid);
            machine = machineTicks();
            begin = System.nanoTime();
            james.webAdmin().reprocessAll(HOLD, "relay");
        }
        long arrived = awaitArrivals(bed, mails);
        long jamesTicksUsed = processTicks(pid) - jamesTicks;
        long[] machineAfter = machineTicks();
        double busy = 1 - (double) (machineAfter[1] - machine[1]) / Math.max(1, machineAfter[0] - machine[0]);
        Thread.sleep(SETTLE_MILLIS);
        check(bed, james, side, subjects, logBefore);
        String log = james.log().substring(logBefore.length());
        return new Run(side, mails, (arrived - begin) / 1e9, submitSeconds,
                count(log, "mailtls: Verified TLS connection established to "),
                count(log, "mailtls: Verified TLS connection reused to "), count(log, LEAK),
                jamesTicksUsed * 1000.0 / CLOCK_TICKS_PER_SECOND / mails, busy);
    }

    /**
     * Submits {@code mails} messages to James over one SMTP connection, one transaction after the
     * other; returns their subjects and puts the time of the last 250 in {@code submitted[0]}.
     */
    private static Set<String> submit(JamesServer james, String tag, int mails, long[] submitted) throws IOException {
        Set<String> subjects = new HashSet<>();
        try (SmtpTestClient client = SmtpTestClient.connect(james.smtp(), SMTP_TIMEOUT)) {
            expect(client.greeting(), 220, client);
            expect(client.ehlo("submitter.mailtls.invalid"), 250, client);
            for (int i = 0; i < mails; i++) {
                String subject = "james-bench-" + tag + "-" + i + "-" + UUID.randomUUID();
                String message = "From: " + SENDER + "\r\nTo: " + RECIPIENT + "\r\nSubject: " + subject + "\r\nMessage-ID: <"
                        + subject + "@james.local>\r\n\r\nMailTLS Guard delivery benchmark through Apache James 3.8.1\r\n";
                expect(client.sendMail(SENDER, List.of(RECIPIENT), message), 250, client);
                subjects.add(subject);
            }
            submitted[0] = System.nanoTime();
            client.quit();
        }
        return subjects;
    }

    private static void expect(SmtpTestClient.Reply reply, int code, SmtpTestClient client) {
        if (reply.code() != code) {
            List<String> transcript = client.transcript();
            throw new IllegalStateException("James replied " + reply.lines() + ", expected " + code + "; transcript tail: "
                    + transcript.subList(Math.max(0, transcript.size() - 10), transcript.size()));
        }
    }

    /** Polls the Maildir every 5 ms; returns the time the count reached {@code mails}. */
    private static long awaitArrivals(TestBed bed, int mails) throws InterruptedException {
        long deadline = System.nanoTime() + ARRIVAL_LIMIT.toNanos();
        while (true) {
            int count = bed.mailboxes().count(DOMAIN);
            if (count >= mails) {
                return System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + count + " of " + mails + " mails arrived in " + ARRIVAL_LIMIT.toSeconds()
                        + " s; Postfix log tail:\n" + bed.postfixLog().tail(20));
            }
            Thread.sleep(5);
        }
    }

    /** Every mail exactly once, over TLS, and its delivery in James's log by the side's mailet. */
    private static void check(TestBed bed, JamesServer james, Side side, Set<String> subjects, String logBefore) {
        List<DeliveredMessage> delivered = bed.mailboxes().messages(DOMAIN);
        Set<String> seen = new HashSet<>();
        for (DeliveredMessage message : delivered) {
            List<String> subject = message.headers("Subject");
            if (subject.size() != 1 || !subjects.contains(subject.get(0)) || !seen.add(subject.get(0))) {
                throw new IllegalStateException("unexpected or duplicate mail at " + DOMAIN + ": " + subject + " ("
                        + message.file() + ")");
            }
            if (!message.arrivedOverTls()) {
                throw new IllegalStateException("mail " + subject + " did not arrive over TLS: " + message.receivedByBed());
            }
            if (!message.receivedByBed().contains("james.mailtls.invalid")) {
                throw new IllegalStateException("mail " + subject + " not sent with James's EHLO name: " + message.receivedByBed());
            }
        }
        if (seen.size() != subjects.size()) {
            throw new IllegalStateException(seen.size() + " of " + subjects.size() + " mails arrived");
        }
        String log = james.log().substring(logBefore.length());
        long sent = log.lines().filter(line -> side.sentLine.matcher(line).find()).count();
        if (sent != subjects.size()) {
            throw new IllegalStateException("James logged " + sent + " deliveries by the " + side.label + " side for "
                    + subjects.size() + " mails; log tail:\n" + james.logTail(20));
        }
        // James 3.8.1's leak detector (Disposable$LeakAwareFinalizer: a MimeMessageInputStreamSource
        // collected undisposed) is counted per run, not an error of the delivery.
        if (log.lines().anyMatch(line -> line.contains(" ERROR ") && !line.contains(LEAK))) {
            throw new IllegalStateException("James logged an error; log tail:\n" + james.logTail(40));
        }
    }

    /** Waits until James's spool and outgoing queues are empty. */
    private static void awaitIdle(JamesServer james) throws Exception {
        long deadline = System.nanoTime() + ARRIVAL_LIMIT.toNanos();
        while (james.webAdmin().mailQueueSize("spool") + james.webAdmin().mailQueueSize("outgoing")
                + james.webAdmin().mailQueueSize(MAILET_QUEUE) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("James's queues did not empty");
            }
            Thread.sleep(50);
        }
    }

    private static long count(String text, String needle) {
        return text.lines().filter(line -> line.contains(needle)).count();
    }

    private static double median(List<Run> runs, Side side) {
        List<Double> rates = runs.stream().filter(run -> run.side() == side).map(Run::rate).sorted(Comparator.naturalOrder())
                .toList();
        int middle = rates.size() / 2;
        return rates.size() % 2 == 1 ? rates.get(middle) : (rates.get(middle - 1) + rates.get(middle)) / 2;
    }

    /** A PKCS12 trust store holding the bed's CA only, for James's default SSL context (javax.mail's STARTTLS). */
    private static Path trustStore(TestBed bed) throws IOException, GeneralSecurityException {
        Path folder = Files.createTempDirectory("mailtls-jamesbench");
        Path file = folder.resolve("bed-ca.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("mailtls-bed-ca", bed.certificates().caCertificate());
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, "changeit".toCharArray());
        }
        file.toFile().deleteOnExit();
        folder.toFile().deleteOnExit();
        return file;
    }

    /** utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15). */
    private static long processTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The machine's CPU time, all cores: {total, idle + iowait}, in clock ticks (/proc/stat, line cpu). */
    private static long[] machineTicks() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < fields.length && i <= 8; i++) {
            total += Long.parseLong(fields[i]);
        }
        return new long[] {total, Long.parseLong(fields[4]) + Long.parseLong(fields[5])};
    }

    private static String javaVersion(Path javaHome) {
        try {
            return Files.readAllLines(javaHome.resolve("release")).stream().filter(line -> line.startsWith("JAVA_VERSION="))
                    .map(line -> line.substring("JAVA_VERSION=".length()).replace("\"", "")).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
