package dev.mailtls.it.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.bed.DeliveredMessage;
import dev.mailtls.it.bed.ProxyConnection;
import dev.mailtls.it.bed.TestBed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bed as the queue tests use it: an agent configuration for the bed's resolver, trust anchor
 * and CA plus the queue's settings, a hosts file that sends some MX names to a
 * {@link SwitchableMx}, and what the tests count: the Message-IDs the application logged as
 * accepted, and those that arrived in a Maildir.
 */
final class QueueBed {
    private static final Pattern MESSAGE_ID = Pattern.compile("<[^<>\\s]+>");

    private QueueBed() {
    }

    static TestBed bed() {
        return TestBed.shared();
    }

    /**
     * Writes {@code dir/hosts}: the bed's hosts file with each of {@code mxHosts} at the
     * {@link SwitchableMx} instead; returns the file.
     */
    static Path hostsFile(Path dir, String... mxHosts) {
        try {
            List<String> lines = new ArrayList<>();
            Set<String> moved = Set.of(mxHosts);
            for (String line : Files.readAllLines(bed().hostsFile(), StandardCharsets.US_ASCII)) {
                String[] words = line.trim().split("\\s+");
                if (!(words.length == 2 && moved.contains(words[1]))) {
                    lines.add(line);
                }
            }
            for (String host : mxHosts) {
                lines.add(SwitchableMx.IP + " " + host);
            }
            Path file = dir.resolve("hosts");
            Files.write(file, lines, StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Message-IDs in the application's accepted log: complete lines only (a kill may cut the last). */
    static List<String> accepted(Path acceptedLog) {
        try {
            if (!Files.exists(acceptedLog)) {
                return List.of();
            }
            String text = Files.readString(acceptedLog, StandardCharsets.US_ASCII);
            List<String> ids = new ArrayList<>();
            int end = text.lastIndexOf('\n');
            for (String line : end < 0 ? new String[0] : text.substring(0, end).split("\n")) {
                if (MESSAGE_ID.matcher(line).matches()) {
                    ids.add(line);
                }
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many times each Message-ID arrived in the domain's Maildir. */
    static Map<String, Integer> arrivals(String domain) {
        Map<String, Integer> counts = new TreeMap<>();
        for (DeliveredMessage message : bed().mailboxes().messages(domain)) {
            for (String value : message.headers("Message-ID")) {
                Matcher id = MESSAGE_ID.matcher(value);
                if (id.find()) {
                    counts.merge(id.group(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /**
     * Waits (at most {@code limitSeconds}) until every one of {@code ids} has arrived in the
     * domain; a failure shows {@code app}'s output and log.
     */
    static Map<String, Integer> awaitArrivals(String domain, List<String> ids, int limitSeconds, AppProcess app) {
        long deadline = System.nanoTime() + limitSeconds * 1_000_000_000L;
        while (true) {
            Map<String, Integer> arrived = arrivals(domain);
            List<String> missing = ids.stream().filter(id -> !arrived.containsKey(id)).toList();
            if (missing.isEmpty()) {
                return arrived;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(missing.size() + " of " + ids.size() + " accepted message(s) did not arrive in "
                        + domain + " within " + limitSeconds + " s, e.g. " + missing.subList(0, Math.min(5, missing.size()))
                        + ". Postfix log tail:\n" + bed().postfixLog().tail(20) + "\nThe application: " + app);
            }
            AppProcess.pause(200);
        }
    }

    /** The message with this subject in the domain's Maildir, waiting for it at most {@code limitSeconds}. */
    static DeliveredMessage awaitSubject(String domain, String subject, int limitSeconds, AppProcess app) {
        long deadline = System.nanoTime() + limitSeconds * 1_000_000_000L;
        while (true) {
            for (DeliveredMessage message : bed().mailboxes().messages(domain)) {
                if (message.headers("Subject").contains(subject)) {
                    return message;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no message \"" + subject + "\" arrived in " + domain + " within " + limitSeconds
                        + " s. The application: " + app);
            }
            AppProcess.pause(200);
        }
    }

    /** Message-IDs that arrived more than once, with their counts. */
    static Map<String, Integer> duplicates(Map<String, Integer> arrivals) {
        Map<String, Integer> twice = new HashMap<>();
        arrivals.forEach((id, count) -> {
            if (count > 1) {
                twice.put(id, count);
            }
        });
        return twice;
    }

    /** No connection to {@code mx} carried AUTH, MAIL FROM, RCPT TO or message data in clear. */
    static void assertNothingInClear(SwitchableMx mx) {
        assertThat(mx.connections()).as("connections to the switchable MX").isNotEmpty();
        assertThat(mx.cleartextSensitiveCommands()).as(mx.report()).isEmpty();
        for (ProxyConnection connection : mx.connections()) {
            if (!connection.tlsHappened()) {
                assertThat(connection.clientText()).as(connection.transcript()).doesNotContain("MAIL FROM")
                        .doesNotContain("RCPT TO").doesNotContain("AUTH");
            }
        }
    }
}
