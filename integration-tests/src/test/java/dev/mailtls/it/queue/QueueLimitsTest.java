package dev.mailtls.it.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.mailtls.it.agent.MailLibrary;
import dev.mailtls.it.bed.StarttlsProxy;
import dev.mailtls.it.bed.TestDomains;
import dev.mailtls.queue.QueuedMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The queue's limits and damage, as the application and the operator see them: a message past
 * {@code mailtls.queue.max-age} moves to {@code dead/}, a full queue fails the send with a
 * temporary 4.7.x error, a corrupted entry is skipped with an error while the rest is delivered,
 * and an unusable queue directory is a configuration error that blocks all SMTP sending.
 */
class QueueLimitsTest extends QueueBedTest {
    private static final String STRIPPED = "mx." + TestDomains.STARTTLS_STRIP;
    private static final String RECIPIENT = "user@" + TestDomains.STARTTLS_STRIP;

    @Test
    void aMessagePastMaxAgeMovesToDeadWithItsReason() {
        AppProcess app = startApp(MailLibrary.ANGUS_MAIL_1_1_0, queueConfig("mailtls.queue.max-age = 2s"), List.of(STRIPPED),
                STRIPPED, RECIPIENT, 1, 1, "send");
        assertThat(app.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(app.toString())
                .isEqualTo("DONE accepted=1 failed=0");

        app.awaitLog("status=expired, message moved to dead/ after 2s", Duration.ofMinutes(1));

        assertThat(queued(false)).isEmpty();
        List<QueuedMessage> dead = queued(true);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).envelope().recipients()).containsExactly(RECIPIENT);
        assertThat(dead.get(0).deadReason()).hasValueSatisfying(reason -> assertThat(reason).contains("TLS is required"));
        assertThat(bed.mailboxes().messages(TestDomains.STARTTLS_STRIP)).isEmpty();
        assertThat(app.finish()).isZero();
    }

    @Test
    void aFullQueueFailsTheSendWithATemporaryError() {
        AppProcess app = startApp(MailLibrary.ANGUS_MAIL_2_0_3, queueConfig("mailtls.queue.max-size = 2 messages"),
                List.of(STRIPPED), STRIPPED, RECIPIENT, 3, 1, "send");

        assertThat(app.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(app.toString())
                .isEqualTo("DONE accepted=2 failed=1");
        assertThat(app.lines()).anyMatch(line -> line.startsWith(
                "FAILED org.eclipse.angus.mail.smtp.SMTPSendFailedException: 454 4.7.4 TLS is required, but was not offered")
                && line.contains("not queued") && line.contains("mailtls.queue.max-size"));
        assertThat(queued(false)).hasSize(2);
        QueueBed.assertNothingInClear(mx);
        assertThat(app.finish()).isZero();
    }

    @Test
    void aCorruptedEntryIsSkippedWithAnErrorAndTheRestIsDelivered() throws IOException {
        AppProcess first = startApp(MailLibrary.JAVAX_MAIL_1_6_2, queueConfig(), List.of(STRIPPED), STRIPPED, RECIPIENT, 3, 1,
                "send");
        assertThat(first.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(first.toString())
                .isEqualTo("DONE accepted=3 failed=0");
        assertThat(first.finish()).isZero();
        List<String> accepted = QueueBed.accepted(acceptedLog());
        Path metadata = metadataFiles().get(0);
        String corrupted = messageIdOf(metadata);
        Files.writeString(metadata, "format: 1\nthis is not a queue entry\n", StandardCharsets.UTF_8);

        mx.switchTo(StarttlsProxy.Mode.PASS);
        AppProcess second = startApp(MailLibrary.JAVAX_MAIL_1_6_2, queueConfig(), List.of(STRIPPED), STRIPPED, RECIPIENT, 1, 1,
                "send");
        assertThat(second.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(second.toString())
                .isEqualTo("DONE accepted=1 failed=0");
        List<String> intact = new ArrayList<>(QueueBed.accepted(acceptedLog()));
        intact.remove(corrupted);
        Map<String, Integer> arrived = QueueBed.awaitArrivals(TestDomains.STARTTLS_STRIP, intact, 60, second);

        assertThat(accepted).contains(corrupted);
        assertThat(arrived).containsOnlyKeys(intact);
        assertThat(second.stderr()).contains("corrupt queue entry skipped");
        assertThat(metadata).exists();
        assertThat(second.finish()).isZero();
    }

    /** The queue directory is a file: the agent cannot start its queue, so it blocks SMTP as for any configuration error. */
    @Test
    void aQueueDirectoryThatIsNoDirectoryBlocksAllSmtpSending() throws IOException {
        Files.writeString(queueDir(), "not a directory\n");

        assertBlocked("is not a directory");
    }

    /** A read-only file system (mounted by the test: as root, a read-only mode alone would not stop writes). */
    @Test
    void aReadOnlyQueueDirectoryBlocksAllSmtpSending() throws Exception {
        Files.createDirectories(queueDir());
        assumeThat(run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "mailtls-queue-test", queueDir().toString()))
                .as("mounting a read-only tmpfs (needs CAP_SYS_ADMIN)").isZero();
        try {
            assertBlocked("not writable");
        } finally {
            run("umount", queueDir().toString());
        }
    }

    private void assertBlocked(String problem) {
        AppProcess app = startApp(MailLibrary.ANGUS_MAIL_2_0_3, queueConfig(), List.of(STRIPPED), STRIPPED, RECIPIENT, 1, 1,
                "send");

        assertThat(app.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(app.toString())
                .isEqualTo("DONE accepted=0 failed=1");
        assertThat(app.stderr()).contains("MailTLS Guard: configuration error: mailtls.queue.dir")
                .contains(queueDir().toString()).contains(problem)
                .contains("all SMTP sending is blocked");
        assertThat(app.lines()).anyMatch(line -> line.startsWith(
                "FAILED org.eclipse.angus.mail.smtp.SMTPSendFailedException: 454 4.7.5 MailTLS Guard blocks SMTP sending"));
        assertThat(mx.connections()).as("no connection is even tried").isEmpty();
        assertThat(app.finish()).isZero();
    }

    private List<Path> metadataFiles() throws IOException {
        try (Stream<Path> files = Files.list(queueDir().resolve("active"))) {
            return files.filter(file -> file.toString().endsWith(".meta")).sorted().toList();
        }
    }

    /** The Message-ID in the stored bytes beside {@code metadata} ({@code ID.eml}). */
    private static String messageIdOf(Path metadata) throws IOException {
        String name = metadata.getFileName().toString();
        Path body = metadata.resolveSibling(name.substring(0, name.length() - ".meta".length()) + ".eml");
        Matcher id = Pattern.compile("(?im)^Message-ID:\\s*(<[^>]+>)").matcher(Files.readString(body, StandardCharsets.ISO_8859_1));
        assertThat(id.find()).as("a Message-ID in " + body).isTrue();
        return id.group(1);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new UncheckedIOException(new IOException(String.join(" ", command) + " did not end: " + output));
        }
        return process.exitValue();
    }
}
