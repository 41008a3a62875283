package dev.mailtls.it.jamesserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.BedProperties;
import dev.mailtls.it.bed.DeliveredMessage;
import dev.mailtls.it.bed.ProxyConnection;
import dev.mailtls.it.bed.SmtpTestClient;
import dev.mailtls.it.bed.TestBed;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * MailTLS Guard inside a real Apache James 3.8.1 ({@link JamesServer}: the memory server from
 * Maven Central, the javax mailet jar in its extensions-jars, the relay processor of
 * james-mailet/README.md): mail submitted to James over SMTP, delivered by the mailet through
 * the bed's DNSSEC resolver to the bed's Postfix, and what became of it, as James shows it
 * (its log, its queues, its metrics, its mail repositories and the sender's mailbox over WebAdmin) and
 * as the bed saw it (the Maildirs, the strip proxy's recording). One James for the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JamesServerEndToEndTest {
    private static final String SENDER = "sender@james.local";
    private static final Duration LIMIT = Duration.ofSeconds(30);
    /** The mailet's James mail queue (its default outgoingQueue). */
    private static final String QUEUE = "mailtls-outgoing";

    private static TestBed bed;
    private static JamesServer james;

    @BeforeAll
    static void startJames() throws Exception {
        bed = TestBed.shared();
        // James runs on the test's JDK unless MAILTLS_IT_JAMES_JAVA_HOME names another (Java 11+; 17 and 25 tested).
        String javaHome = System.getenv().getOrDefault("MAILTLS_IT_JAMES_JAVA_HOME", System.getProperty("java.home"));
        james = JamesServer.start(Path.of(javaHome), List.of(
                "mailtls.dns.servers = " + bed.properties().getProperty(BedProperties.RESOLVER),
                "mailtls.dns.dnssec = validate",
                "mailtls.dns.trust-anchors = " + bed.properties().getProperty(BedProperties.TRUST_ANCHOR_DS_FILE),
                "mailtls.dns.timeout = 3s",
                "mailtls.tls.trust-store = " + bed.certificates().caFile(),
                "mailtls.level = dane",
                "mailtls.policy.dane-mismatch.test = dane-only action=reject"));
        System.out.println("[james-3.8.1] started in " + james.startTime().toMillis() + " ms on " + javaHome + " ("
                + james.workingDirectory() + ")");
        // The DSNs go to the sender's mailbox: a user of James's local domain.
        james.webAdmin().createUser(SENDER, UUID.randomUUID().toString());
        james.webAdmin().createMailbox(SENDER, "INBOX");
    }

    @AfterAll
    static void stopJames() {
        if (james != null) {
            long begin = System.nanoTime();
            james.close();
            System.out.println("[james-3.8.1] stopped in " + (System.nanoTime() - begin) / 1_000_000 + " ms");
        }
    }

    @BeforeEach
    void resetBed() {
        bed.reset();
    }

    /** Submits a message to James over SMTP, as a client on James's trusted network, and returns its subject. */
    private static String submit(String recipient) throws IOException {
        String subject = "james-server-" + UUID.randomUUID();
        String message = "From: " + SENDER + "\r\nTo: " + recipient + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject
                + "@james.local>\r\n\r\nMailTLS Guard end-to-end test through Apache James 3.8.1\r\n";
        try (SmtpTestClient client = SmtpTestClient.connect(james.smtp(), LIMIT)) {
            assertThat(client.greeting().code()).as(client.transcript().toString()).isEqualTo(220);
            assertThat(client.ehlo("submitter.mailtls.invalid").code()).isEqualTo(250);
            SmtpTestClient.Reply reply = client.sendMail(SENDER, List.of(recipient), message);
            assertThat(reply.code()).as("James's reply to the message; %s", client.transcript()).isEqualTo(250);
            client.quit();
        }
        return subject;
    }

    @Test
    void theMailetStartsInJamesFromExtensionsJars() {
        assertThat(james.startupLog())
                .contains("Loading custom classpath resource " + james.workingDirectory().resolve("extensions-jars")
                        .resolve("mailtls-james-mailet-javax.jar"))
                .contains("Matcher dev.mailtls.james.RecipientTlsPolicyIs=encrypt,dane,dane-only,verify,secure;config=")
                // James injected its mail queues and metrics: the mailet delivers from a queue of its own.
                .containsPattern("mailtls: mailet dev\\.mailtls\\.james\\.TlsPolicyDelivery ready: configuration .*"
                        + "mailtls\\.properties \\(init parameter config\\); retryDelays=1h maxAttempts=5 maxAge=1d,"
                        + " bounceProcessor=bounces; delivering from queue mailtls-outgoing with \\d+ threads; metrics to James")
                .doesNotContain("ERROR");
    }

    @Test
    void mailForADaneDomainLeavesJamesDaneVerifiedAndArrivesOverTls() throws Exception {
        String subject = submit("user@dane-ok.test");

        DeliveredMessage delivered = bed.mailboxes().awaitMessages("dane-ok.test", 1, LIMIT).stream()
                .filter(message -> message.headers("Subject").contains(subject)).findFirst()
                .orElseThrow(() -> new AssertionError("no message " + subject + " at dane-ok.test"));
        assertThat(delivered.arrivedOverTls()).as(delivered.receivedByBed()).isTrue();
        // Postfix names the client by the mailet's EHLO name: James's mailet sent it, not RemoteDelivery.
        assertThat(delivered.receivedByBed()).contains("james.mailtls.invalid");
        assertThat(delivered.headers("Received")).anySatisfy(received -> assertThat(received)
                .contains("submitter.mailtls.invalid"));

        assertThat(james.awaitLogLine("dev\\.mailtls\\.james\\.TlsPolicyDelivery - mailtls: Verified TLS connection"
                + " established to mx\\.dane-ok\\.test\\[127\\.0\\.0\\.2\\]:25: TLSv1\\.[23] with cipher \\S+ \\(\\d+/\\d+ bits\\);"
                + " DANE TLSA 3 1 1 [0-9A-F]{8}.* matched end-entity key at depth 0; level=dane effective=dane", LIMIT))
                .isNotEmpty();
        assertThat(james.awaitLogLine("to=<user@dane-ok\\.test>, relay=mx\\.dane-ok\\.test\\[127\\.0\\.0\\.2\\]:25,"
                + " dsn=2\\.0\\.0, status=sent \\(250 ", LIMIT)).contains("attempt=1");
        assertThat(james.webAdmin().queuedMails("spool")).doesNotContain("user@dane-ok.test");
        // Delivered by a delivery thread of the mailet's own, counted in James's metrics.
        assertThat(james.awaitLogLine("\\[mailtls-delivery-\\d+\\] dev\\.mailtls\\.james\\.TlsPolicyDelivery - mailtls: \\S+:"
                + " to=<user@dane-ok\\.test>, .* status=sent", LIMIT)).isNotEmpty();
        assertThat(metric("mailtlsDelivered_total")).isGreaterThanOrEqualTo(1);
        assertThat(metric("mailtlsDeliveryAttempt_count")).isGreaterThanOrEqualTo(1);
    }

    /**
     * Last: listing the mails of a James 3.8.1 memory queue over WebAdmin releases the queue once
     * more than it takes it (MailQueueRoutes.listMails closes it twice), and the mailet's queue,
     * held by the mailet alone, stops delivering after that. The other tests need it.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void strippedStarttlsKeepsTheMailQueuedInJamesWithNothingButEhloInClear() throws Exception {
        Instant submitted = Instant.now();
        double deferredBefore = metric("mailtlsDeferred_total");
        submit("user@starttls-strip.test");

        String deferral = james.awaitLogLine("to=<user@starttls-strip\\.test>, relay=mx\\.starttls-strip\\.test\\[127\\.0\\.0\\.4\\]:25,"
                + " dsn=4\\.7\\.4, status=deferred \\(454 4\\.7\\.4 TLS is required, but was not offered by host"
                + " mx\\.starttls-strip\\.test\\[127\\.0\\.0\\.4\\]:25", LIMIT);
        assertThat(deferral).contains("attempt=1, retry in 1h (queue " + QUEUE + ")");

        // The copy waits in the mailet's James mail queue for its next attempt, an hour later.
        assertThat(james.webAdmin().mailQueueSize(QUEUE)).isEqualTo(1);
        String queued = james.webAdmin().queuedMails(QUEUE);
        assertThat(queued).contains("\"recipients\":[\"user@starttls-strip.test\"]").contains("\"sender\":\"" + SENDER + "\"");
        Matcher nextDelivery = Pattern.compile("\"nextDelivery\":\"([^\"]+)\"").matcher(queued);
        assertThat(nextDelivery.find()).as(queued).isTrue();
        assertThat(Instant.parse(nextDelivery.group(1))).isAfter(submitted.plus(Duration.ofMinutes(55)));

        assertThat(bed.stripProxy().awaitAllClosed(LIMIT)).isTrue();
        assertThat(bed.stripProxy().connections()).isNotEmpty();
        assertThat(bed.stripProxy().cleartextSensitiveCommands()).isEmpty();
        for (ProxyConnection connection : bed.stripProxy().connections()) {
            // What the mailet sent through the stripping attacker: its greeting, then it hung up.
            assertThat(commands(connection)).as(connection.transcript()).containsExactly("EHLO james.mailtls.invalid");
        }
        assertThat(bed.mailboxes().count("starttls-strip.test")).isZero();
        assertThat(metric("mailtlsDeferred_total")).isEqualTo(deferredBefore + 1);
    }

    @Test
    void rejectPolicyReturnsADsnToTheSendersMailboxInJames() throws Exception {
        long inboxBefore = james.webAdmin().messageCount(SENDER, "INBOX");
        String subject = submit("user@dane-mismatch.test");

        assertThat(james.awaitLogLine("to=<user@dane-mismatch\\.test>, relay=mx\\.dane-mismatch\\.test\\[127\\.0\\.0\\.2\\]:25,"
                + " dsn=5\\.7\\.5, status=bounced \\(554 5\\.7\\.5 Server certificate not verified: DANE: no TLSA record of"
                + " _25\\._tcp\\.mx\\.dane-mismatch\\.test matched", LIMIT))
                .contains("returned to sender through processor bounces");

        // What the mailet handed to the bounce processor: DSNBounce's attributes, as RemoteDelivery sets them.
        String bouncedKey = awaitKeyOf("var/mail/bounced", subject);
        String bounced = james.webAdmin().repositoryMail("var/mail/bounced", bouncedKey);
        assertThat(bounced).contains("\"recipients\":[\"user@dane-mismatch.test\"]").contains("\"state\":\"bounces\"")
                .contains("\"delivery-error\":\"554 5.7.5 Server certificate not verified: DANE: no TLSA record of"
                        + " _25._tcp.mx.dane-mismatch.test matched")
                .contains("message rejected (action=reject)")
                .contains("\"delivery-error-code\":\"554\"")
                .contains("\"is-delivery-permanent-error\":\"true\"")
                .contains("\"dev.mailtls.james.attempts\":\"1\"");

        // The DSN DSNBounce made of it, on its way to the sender's mailbox.
        String dsn = james.webAdmin().repositoryMessage("var/mail/dsn", awaitKeyOf("var/mail/dsn", subject));
        assertThat(dsn).containsPattern("(?m)^To: .*" + Pattern.quote(SENDER))
                .containsPattern("report-type=\"?delivery-status")
                .containsPattern("(?m)^Final-Recipient: rfc822; ?user@dane-mismatch\\.test")
                .containsPattern("(?m)^Action: failed")
                // James 3.8.1's DSNBounce writes the whole delivery-error as the Status field (as it
                // does for RemoteDelivery's errors), not only the RFC 3464 status code.
                .containsPattern("(?m)^Status: 554 5\\.7\\.5 ")
                .containsPattern("(?m)^Diagnostic-Code: smtp; 554 5\\.7\\.5 ")
                .contains("554 5.7.5 Server certificate not verified: DANE: no TLSA record of _25._tcp.mx.dane-mismatch.test")
                .contains(subject);
        awaitMessageCount(SENDER, "INBOX", inboxBefore + 1);

        assertThat(bed.mailboxes().count("dane-mismatch.test")).isZero();
    }

    @Test
    void refusalInTheDsnHasOneFullStopBetweenTheReasonAndThePolicy() throws Exception {
        submit("user@dane-mismatch.test");

        String line = james.awaitLogLine("to=<user@dane-mismatch\\.test>, .* status=bounced \\(554 5\\.7\\.5 ", LIMIT);
        assertThat(line).contains("MailTLS Guard policy \"dane-only\"").doesNotContain("..");
    }

    /** The command lines a client sent over a proxied connection, in order. */
    private static List<String> commands(ProxyConnection connection) {
        return connection.clientText().lines().filter(line -> !line.isBlank()).toList();
    }

    /**
     * A value of James's metrics (WebAdmin /metrics, Prometheus format: a counter as NAME_total, a
     * timer's count as NAME_count); 0 before it was first counted.
     */
    private static double metric(String name) throws Exception {
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(james.webAdmin().metrics());
        return value.find() ? Double.parseDouble(value.group(1)) : 0;
    }

    /** The key of the mail in a James mail repository whose message contains {@code subject}, waiting for it. */
    private static String awaitKeyOf(String repository, String subject) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            List<String> keys = james.webAdmin().repositoryKeys(repository);
            for (String key : keys) {
                if (james.webAdmin().repositoryMessage(repository, key).contains(subject)) {
                    return key;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no mail about " + subject + " in James's repository " + repository + " after "
                        + LIMIT.toSeconds() + " s; keys " + keys);
            }
            Thread.sleep(100);
        }
    }

    private static void awaitMessageCount(String user, String mailbox, long expected) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        long count = james.webAdmin().messageCount(user, mailbox);
        while (count < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
            count = james.webAdmin().messageCount(user, mailbox);
        }
        assertThat(count).as("messages in %s's %s", user, mailbox).isEqualTo(expected);
    }
}
