package dev.mailtls.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;

/**
 * The {@code demo} command's work: everything on 127.0.0.1, in this JVM and its children, with
 * nothing installed beyond the JDK. A DNSSEC-signed zone on an in-process name server publishes
 * TLSA records for four in-process SMTP servers (honest, STARTTLS-stripping, certificate-swapping,
 * and one without TLS); an unmodified Jakarta Mail application sends one message to each, in a JVM
 * of its own with the agent attached, and to the first two also without it; a table shows what the
 * application, the agent and the server each saw. Every file goes into one temporary folder,
 * deleted at the end, and every thread and process started here has ended when {@link #run} returns.
 */
public final class Demonstration {
    /** The demo zone: under {@code .test}, which RFC 2606 keeps out of the real DNS. */
    private static final String ZONE = "demo.test";
    private static final long SESSION_END_MILLIS = 5000;

    private final Path agentJar;
    private final PrintStream out;
    private final PrintStream progress;

    private Demonstration(Path agentJar, PrintStream out, PrintStream progress) {
        this.agentJar = agentJar;
        this.out = out;
        this.progress = progress;
    }

    /**
     * Runs the demonstration and prints its report to {@code out}.
     *
     * @param agentJar the agent jar to attach to the application (and to extract it from)
     * @param progress where to say what is running meanwhile (a run takes some seconds)
     * @return whether every scenario behaved as expected
     * @throws IOException if the demonstration could not be set up (keytool failed, no free port, ...)
     */
    public static boolean run(Path agentJar, PrintStream out, PrintStream progress) throws IOException, InterruptedException {
        return new Demonstration(agentJar, out, progress).run();
    }

    private boolean run() throws IOException, InterruptedException {
        final Path folder = Files.createTempDirectory("mailtls-demo");
        // Stopped by Ctrl-C, the JVM runs shutdown hooks but no finally blocks.
        Thread deleteOnInterrupt = new Thread(() -> deleteQuietly(folder), "mailtls-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(deleteOnInterrupt);
        Map<ServerRole, DemoSmtpServer> servers = new EnumMap<ServerRole, DemoSmtpServer>(ServerRole.class);
        DemoDnsServer dns = null;
        try {
            progress.println("MailTLS Guard demo: making keys, starting servers in " + folder + " ...");
            Process genuineKeytool = ServerKey.startKeytool(folder.resolve("genuine.p12"), hostnames());
            Process attackerKeytool = ServerKey.startKeytool(folder.resolve("attacker.p12"), hostnames());
            ServerKey genuine = ServerKey.load(genuineKeytool, folder.resolve("genuine.p12"));
            ServerKey attacker = ServerKey.load(attackerKeytool, folder.resolve("attacker.p12"));
            for (ServerRole role : ServerRole.values()) {
                ServerKey key = role.attackerKey() ? attacker : genuine;
                servers.put(role, DemoSmtpServer.start(role.hostname(ZONE), role.startTls(), key.tls()));
            }
            DemoZone zone = DemoZone.sign(Name.fromString(ZONE + "."), records(servers, genuine));
            dns = DemoDnsServer.start(zone);
            Path config = writeFiles(folder, zone, dns);
            SenderJvm sender = SenderJvm.extract(agentJar, folder.resolve("sender"), folder.resolve("hosts"));

            DemoReport report = new DemoReport();
            for (Scenario scenario : Scenario.values()) {
                progress.println("  running: " + scenario.title() + (scenario.agent() ? ", with" : ", without") + " the agent");
                DemoSmtpServer server = servers.get(scenario.server());
                SenderRun run = sender.run(scenario.server().hostname(ZONE), server.port(), scenario.agent() ? config : null);
                report.add(result(scenario, run, server.takeSessions(SESSION_END_MILLIS)), run);
            }
            printSetUp(zone, dns, servers, config);
            report.print(out);
            return report.allAsExpected();
        } catch (GeneralSecurityException | DNSSEC.DNSSECException cannotSign) {
            throw new IOException("cannot make the demo's keys or sign its zone: " + cannotSign, cannotSign);
        } finally {
            for (DemoSmtpServer server : servers.values()) {
                server.close();
            }
            if (dns != null) {
                dns.close();
            }
            Runtime.getRuntime().removeShutdownHook(deleteOnInterrupt);
            delete(folder);
        }
    }

    private static List<String> hostnames() {
        List<String> names = new ArrayList<String>();
        for (ServerRole role : ServerRole.values()) {
            names.add(role.hostname(ZONE));
        }
        return names;
    }

    /** Each server's address, and for those that publish DANE the TLSA 3 1 1 record of the genuine key at its port. */
    private static List<Record> records(Map<ServerRole, DemoSmtpServer> servers, ServerKey genuine) throws IOException {
        List<Record> records = new ArrayList<Record>();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (Map.Entry<ServerRole, DemoSmtpServer> server : servers.entrySet()) {
            Name host = name(server.getKey().hostname(ZONE));
            records.add(new ARecord(host, DClass.IN, 300, loopback));
            if (server.getKey().publishesTlsa()) {
                records.add(new TLSARecord(name("_" + server.getValue().port() + "._tcp." + host), DClass.IN, 300,
                        TLSARecord.CertificateUsage.DOMAIN_ISSUED_CERTIFICATE, TLSARecord.Selector.SUBJECT_PUBLIC_KEY_INFO,
                        TLSARecord.MatchingType.SHA256, genuine.publicKeySha256()));
            }
        }
        return records;
    }

    private static Name name(String text) throws TextParseException {
        return Name.fromString(text, Name.root);
    }

    /** The trust anchor, the agent's configuration and the application JVM's hosts file; returns the configuration. */
    private static Path writeFiles(Path folder, DemoZone zone, DemoDnsServer dns) throws IOException {
        Files.write(folder.resolve("trust-anchor.ds"), zone.trustAnchor().getBytes(StandardCharsets.UTF_8));
        Path config = folder.resolve("mailtls.properties");
        Files.write(config, Arrays.asList(configuration(dns)), StandardCharsets.UTF_8);
        List<String> hosts = new ArrayList<String>();
        for (String host : hostnames()) {
            hosts.add("127.0.0.1 " + host);
        }
        Files.write(folder.resolve("hosts"), hosts, StandardCharsets.UTF_8);
        return config;
    }

    /** The agent's configuration: the built-in default policy, spelled out, and DNSSEC validated from the demo's anchor. */
    private static String[] configuration(DemoDnsServer dns) {
        return new String[] {
            "mailtls.level = dane fallback=encrypt",
            "mailtls.action = defer",
            "mailtls.dns.servers = 127.0.0.1:" + dns.port(),
            "mailtls.dns.dnssec = validate",
            "mailtls.dns.trust-anchors = trust-anchor.ds",
        };
    }

    private static ScenarioResult result(Scenario scenario, SenderRun run, List<SmtpSession> sessions) {
        ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
        boolean delivered = false;
        for (SmtpSession session : sessions) {
            byte[] bytes = session.plaintext();
            plaintext.write(bytes, 0, bytes.length);
            delivered |= session.delivered();
        }
        return new ScenarioResult(scenario, run.outcome(), scenario.agent() ? run.agentDecision() : null, delivered,
                PlaintextExposure.of(plaintext.toByteArray()));
    }

    private void printSetUp(DemoZone zone, DemoDnsServer dns, Map<ServerRole, DemoSmtpServer> servers, Path config) {
        out.println("MailTLS Guard demo: an unmodified Jakarta Mail application sends one message to each SMTP server");
        out.println("below, in a JVM of its own with -javaagent:" + agentJar.getFileName() + ", and to the first two also without it.");
        out.println("It asks for STARTTLS but does not require it, trusts any certificate (mail.smtp.ssl.trust=*), and logs in.");
        out.println();
        out.println("  DNS   127.0.0.1:" + dns.port() + " (UDP, TCP): zone " + zone.apex() + " signed with ECDSA P-256 (algorithm 13),"
                + " NSEC denial");
        for (Map.Entry<ServerRole, DemoSmtpServer> server : servers.entrySet()) {
            out.printf("  SMTP  %-27s %s%n", server.getKey().hostname(ZONE) + ":" + server.getValue().port(),
                    server.getKey().description());
        }
        out.println("  Agent configuration (" + config.getFileName() + "; trust-anchor.ds is the zone's DS record):");
        for (String line : configuration(dns)) {
            out.println("        " + line);
        }
        out.println();
    }

    private static void deleteQuietly(Path folder) {
        try {
            delete(folder);
        } catch (IOException stillInUse) {
            // The JVM is going down; what is left is in the temporary folder, where the system cleans up.
        }
    }

    private static void delete(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        Files.walkFileTree(folder, new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
