package dev.mailtls.it.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.BedProperties;
import dev.mailtls.it.bed.DeliveredMessage;
import dev.mailtls.it.bed.ProxyConnection;
import dev.mailtls.it.bed.StarttlsProxy;
import dev.mailtls.it.bed.TestBed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The bed as the agent tests use it: a deployment configuration that points the agent at the
 * bed's resolver, trust anchor and CA; the sample applications' JVM options; and the observations
 * the tests assert on (what arrived, what crossed the strip proxy in clear, how many connections
 * Postfix saw).
 */
final class AgentBed {
    /** Source address of the marker connection that closes a count of Postfix connections. */
    private static final String MARKER_ADDRESS = "127.0.0.9";

    private AgentBed() {
    }

    static TestBed bed() {
        return TestBed.shared();
    }

    /** Writes {@code dir/mailtls.properties} for the bed plus {@code lines}; returns {@code config=FILE}. */
    static String agentConfig(Path dir, String... lines) {
        return "config=" + configFile(dir, lines);
    }

    static Path configFile(Path dir, String... lines) {
        TestBed bed = bed();
        List<String> all = new ArrayList<>(List.of(
                "mailtls.dns.servers = " + bed.properties().getProperty(BedProperties.RESOLVER),
                "mailtls.dns.dnssec = validate",
                "mailtls.dns.trust-anchors = " + bed.properties().getProperty(BedProperties.TRUST_ANCHOR_DS_FILE),
                "mailtls.tls.trust-store = " + bed.certificates().caFile()));
        all.addAll(List.of(lines));
        Path file = dir.resolve("mailtls.properties");
        try {
            Files.write(file, all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The run, resolving the bed's MX host names from its hosts file (no DNS for A records). */
    static SenderRun onBed(SenderRun run) {
        return run.jvmOption("-Djdk.net.hosts.file=" + bed().hostsFile());
    }

    /**
     * The sample sender built against {@code library}, sending one message with {@code subject} to
     * {@code user@DOMAIN} through {@code host} ({@code mx.DOMAIN}) and {@code port} in {@code style}.
     */
    static SenderRun sampleSender(MailLibrary library, String host, int port, String subject, String style) {
        return onBed(SenderRun.sampleSender(library))
                .arguments(host, String.valueOf(port), "user@" + host.substring("mx.".length()), subject, style);
    }

    static String subject() {
        return "it-" + UUID.randomUUID();
    }

    /** The message with this subject in the domain's Maildir, waiting for it up to 20 s. */
    static DeliveredMessage delivered(String domain, String subject) {
        List<DeliveredMessage> messages = bed().mailboxes().awaitMessages(domain, 1, Duration.ofSeconds(20));
        return messages.stream().filter(message -> message.headers("Subject").contains(subject)).findFirst()
                .orElseThrow(() -> new AssertionError("no message \"" + subject + "\" for " + domain + ": " + messages));
    }

    /**
     * The client saw at least one connection through the proxy and sent neither AUTH, MAIL FROM,
     * message data nor {@code password} in clear.
     */
    static void assertNothingSensitiveInClear(StarttlsProxy proxy, String password) {
        assertThat(proxy.connections()).as("connections through the proxy " + proxy.report()).isNotEmpty();
        assertThat(proxy.cleartextSensitiveCommands()).as(proxy.report()).isEmpty();
        for (ProxyConnection connection : proxy.connections()) {
            assertThat(connection.clientText()).doesNotContain("AUTH").doesNotContain("MAIL FROM")
                    .doesNotContain(password);
        }
    }

    /**
     * The {@code connect from} lines that the Postfix listener with log tag {@code listener}
     * ({@code mx-smtps}, {@code mx-tls}) wrote after {@code mark} for clients on 127.0.0.1. To be
     * sure that every connection made so far is in the log, it first connects once from
     * {@value #MARKER_ADDRESS} and waits for Postfix to log that connection's end: connections
     * are accepted in order, and a session's end is logged after its start.
     */
    static List<String> postfixConnections(long mark, String listener, InetSocketAddress address) {
        try (Socket marker = new Socket()) {
            marker.bind(new InetSocketAddress(MARKER_ADDRESS, 0));
            marker.connect(address, 5000);
        } catch (IOException e) {
            throw new UncheckedIOException("marker connection to " + address + " failed", e);
        }
        String tag = "postfix-bed/" + listener + "/smtpd\\[\\d+\\]: ";
        assertThat(bed().postfixLog().awaitLine(mark, tag + "disconnect from unknown\\[" + Pattern.quote(MARKER_ADDRESS) + "\\]",
                Duration.ofSeconds(30))).as("the marker connection's end in " + bed().postfixLog().file()).isPresent();
        Pattern connect = Pattern.compile(tag + "connect from unknown\\[127\\.0\\.0\\.1\\]");
        return bed().postfixLog().textSince(mark).lines().filter(line -> connect.matcher(line).find()).toList();
    }
}
