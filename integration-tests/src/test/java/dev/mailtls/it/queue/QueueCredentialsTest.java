package dev.mailtls.it.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.it.agent.MailLibrary;
import dev.mailtls.it.bed.StarttlsProxy;
import dev.mailtls.it.bed.TestDomains;
import dev.mailtls.queue.QueuedMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A queued message for a relay that wants SMTP AUTH: its password is never written to the queue,
 * and after a restart the message waits until the application connects to that relay again,
 * which hands the agent the password once more.
 */
class QueueCredentialsTest extends QueueBedTest {
    private static final String STRIPPED = "mx." + TestDomains.STARTTLS_STRIP;
    private static final String RECIPIENT = "user@" + TestDomains.STARTTLS_STRIP;
    private static final String PASSWORD = "s3cret-password";

    @Test
    void afterARestartTheMessageWaitsForTheApplicationsNextConnectionToItsRelay() throws IOException {
        mx.setFakeAuth(true);
        AppProcess first = startApp(MailLibrary.ANGUS_MAIL_2_0_3, queueConfig(), List.of(STRIPPED), STRIPPED, RECIPIENT, 1, 1,
                "connect", "mailer", PASSWORD);
        assertThat(first.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(first.toString())
                .isEqualTo("DONE accepted=1 failed=0");
        assertThat(first.finish()).isZero();
        List<String> accepted = QueueBed.accepted(acceptedLog());
        List<QueuedMessage> queued = queued(false);
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).destination().user()).isEqualTo("mailer");
        assertThat(queueFilesContaining(PASSWORD)).as("queue files holding the password").isEmpty();
        QueueBed.assertNothingInClear(mx);
        assertThat(first.stderr()).doesNotContain(PASSWORD);

        mx.switchTo(StarttlsProxy.Mode.PASS);
        // A restarted application that sends elsewhere first: the message to the relay cannot go yet.
        AppProcess second = startApp(MailLibrary.ANGUS_MAIL_2_0_3, queueConfig(), List.of(STRIPPED),
                "mx." + TestDomains.DANE_OK, "user@" + TestDomains.DANE_OK, 1, 1, "send");
        second.awaitLog("status=waiting (no password for smtp://mailer@" + STRIPPED + ":25", Duration.ofMinutes(1));
        assertThat(bed.mailboxes().messages(TestDomains.STARTTLS_STRIP)).isEmpty();
        assertThat(second.finish()).isZero();

        // Its next connection to the relay, with the password, lets the worker send the message.
        AppProcess third = startApp(MailLibrary.ANGUS_MAIL_2_0_3, queueConfig(), List.of(STRIPPED), STRIPPED, RECIPIENT, 1, 1,
                "connect", "mailer", PASSWORD);
        assertThat(third.awaitLine(line -> line.startsWith("DONE"), Duration.ofMinutes(2))).as(third.toString())
                .isEqualTo("DONE accepted=1 failed=0");
        QueueBed.awaitArrivals(TestDomains.STARTTLS_STRIP, accepted, 60, third);
        awaitEmptyQueue(third);
        assertThat(third.stderr()).doesNotContain(PASSWORD);
        assertThat(third.finish()).isZero();
    }

    private List<Path> queueFilesContaining(String text) throws IOException {
        try (Stream<Path> files = Files.walk(queueDir())) {
            return files.filter(Files::isRegularFile).filter(file -> {
                try {
                    return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
