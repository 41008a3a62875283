package dev.mailtls.it.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.BedCertificates;
import dev.mailtls.it.bed.BedProperties;
import dev.mailtls.it.bed.DeliveredMessage;
import dev.mailtls.it.bed.ProxyConnection;
import dev.mailtls.it.bed.StarttlsProxy;
import dev.mailtls.it.bed.TestBed;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
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
public final class AgentBed {
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

    /** Writes {@code dir/mailtls.properties}: the bed's DNS and CA, then {@code lines}; returns the file. */
    public static Path configFile(Path dir, String... lines) {
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

    /** The password of {@link #clientKeyStore}'s file and of its key. */
    static final String CLIENT_KEY_STORE_PASSWORD = "client-store-password";

    /**
     * Writes {@code dir/client.p12}, a PKCS12 key store holding a fresh key and a certificate for
     * {@link Scenario#CLIENT_NAME} from the bed's client CA (made with Bouncy Castle), the key and
     * the store protected by {@link #CLIENT_KEY_STORE_PASSWORD}; returns the file.
     */
    static Path clientKeyStore(Path dir) {
        BedCertificates.ClientIdentity identity = bed().certificates().issueClientCertificate(Scenario.CLIENT_NAME);
        char[] password = CLIENT_KEY_STORE_PASSWORD.toCharArray();
        Path file = dir.resolve("client.p12");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", identity.key(), password, identity.chain().toArray(new X509Certificate[0]));
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the client key store " + file, e);
        }
        return file;
    }

    static String subject() {
        return "it-" + UUID.randomUUID();
    }

    /** The message with this subject in the domain's Maildir, waiting for it up to 20 s. */
    static DeliveredMessage delivered(String domain, String subject) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            List<DeliveredMessage> messages = bed().mailboxes().messages(domain);
            for (DeliveredMessage message : messages) {
                if (message.headers("Subject").contains(subject)) {
                    return message;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no message \"" + subject + "\" for " + domain + " within 20 s: " + messages
                        + "\nPostfix log tail:\n" + bed().postfixLog().tail(25));
            }
            pause(50);
        }
    }

    /** Whether a message with this subject is in the domain's Maildir now. */
    static boolean arrived(String domain, String subject) {
        return bed().mailboxes().messages(domain).stream().anyMatch(message -> message.headers("Subject").contains(subject));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The client saw at least one connection through the proxy and sent neither AUTH, MAIL FROM,
     * RCPT TO, message data nor {@code password} (in clear or base64-encoded, as SMTP AUTH PLAIN and
     * LOGIN would send it) in clear.
     */
    static void assertNothingSensitiveInClear(StarttlsProxy proxy, String password) {
        assertNothingSensitiveInClear(proxy);
        for (ProxyConnection connection : proxy.connections()) {
            assertThat(PasswordExposures.find(connection.clientText(), password))
                    .as("the password in the client's bytes: " + connection.transcript()).isEmpty();
        }
    }

    /** The client saw at least one connection through the proxy and sent no AUTH, MAIL FROM, RCPT TO or message data. */
    static void assertNothingSensitiveInClear(StarttlsProxy proxy) {
        assertThat(proxy.connections()).as("connections through the proxy " + proxy.report()).isNotEmpty();
        assertThat(proxy.cleartextSensitiveCommands()).as(proxy.report()).isEmpty();
        for (ProxyConnection connection : proxy.connections()) {
            assertThat(connection.clientText()).as(connection.transcript()).doesNotContain("AUTH").doesNotContain("MAIL FROM")
                    .doesNotContain("RCPT TO");
        }
    }

    /**
     * The {@code connect from} lines that the Postfix listener with log tag {@code listener}
     * ({@code mx-smtps}, {@code mx-tls}) wrote after {@code mark} for clients on 127.0.0.1.
     */
    static List<String> postfixConnections(long mark, String listener, InetSocketAddress address) {
        return postfixLines(mark, listener, address, "connect from unknown\\[127\\.0\\.0\\.1\\]");
    }

    /**
     * The lines that the Postfix listener with log tag {@code listener} ({@code mx-smtps},
     * {@code mx-ccert}, ...) at {@code address} wrote after {@code mark} and that match
     * {@code regex} after the tag. To be sure that everything about the connections made so far
     * is in the log, it first connects once from {@value #MARKER_ADDRESS} and waits for Postfix to
     * log that connection's end: one listener's connections are handled in order, and a session's
     * end is logged after everything before it.
     */
    static List<String> postfixLines(long mark, String listener, InetSocketAddress address, String regex) {
        try (Socket marker = new Socket()) {
            marker.bind(new InetSocketAddress(MARKER_ADDRESS, 0));
            marker.connect(address, 5000);
        } catch (IOException e) {
            throw new UncheckedIOException("marker connection to " + address + " failed", e);
        }
        String tag = "postfix-bed/" + listener + "/smtpd\\[\\d+\\]: ";
        assertThat(bed().postfixLog().awaitLine(mark, tag + "disconnect from unknown\\[" + Pattern.quote(MARKER_ADDRESS) + "\\]",
                Duration.ofSeconds(30))).as("the marker connection's end in " + bed().postfixLog().file()).isPresent();
        Pattern line = Pattern.compile(tag + regex);
        return bed().postfixLog().textSince(mark).lines().filter(text -> line.matcher(text).find()).toList();
    }
}
