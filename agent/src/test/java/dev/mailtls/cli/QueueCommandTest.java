package dev.mailtls.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.queue.Claim;
import dev.mailtls.queue.Envelope;
import dev.mailtls.queue.MessageQueue;
import dev.mailtls.queue.QueueSettings;
import dev.mailtls.queue.QueuedMessage;
import dev.mailtls.queue.SmtpDestination;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueCommandTest {
    private static final Instant QUEUED = Instant.parse("2024-05-01T10:00:00.250Z");

    @TempDir
    Path dir;

    /** The queue time of each message: one millisecond apart, so that their ids sort in queue order. */
    private final Clock clock = new Clock() {
        private Instant now = QUEUED;

        @Override
        public synchronized Instant instant() {
            Instant result = now;
            now = now.plusMillis(1);
            return result;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    };
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private MessageQueue queue;
    private QueuedMessage waiting;
    private QueuedMessage fresh;
    private QueuedMessage dead;

    @BeforeEach
    void fill() throws IOException {
        queue = MessageQueue.open(QueueSettings.builder(dir).build(), clock);
        SmtpDestination relay = SmtpDestination.builder().host("relay.example.com").port(587).user("app")
                .sessionProperty("mail.smtp.auth", "true").sessionProperty("mail.smtp.password", "hunter2").build();
        waiting = queue.enqueue(Envelope.of("app@example.com", "alice@example.org", "bob@example.org"), relay,
                "454 4.7.4 TLS is required, but was not offered by host relay.example.com[192.0.2.1]", out -> out.write('a'));
        try (Claim claim = queue.claim(waiting.id(), QUEUED.plusSeconds(1), m -> true).get()) {
            claim.deferred("454 4.7.4 TLS is required,\r\n still", QUEUED.plusSeconds(60));
        }
        fresh = queue.enqueue(Envelope.of("", "postmaster@example.net"),
                SmtpDestination.builder().host("mx.example.net").build(), "454 4.7.5 TLSA lookup error", out -> out.write("bc".getBytes()));
        dead = queue.enqueue(Envelope.of("app@example.com", "nobody@example.org"),
                SmtpDestination.builder().host("mx.example.org").build(), "454 4.7.5", out -> out.write('d'));
        try (Claim claim = queue.claim(dead.id(), QUEUED.plusSeconds(1), m -> true).get()) {
            claim.failed("550 5.1.1 <nobody@example.org>: Recipient address rejected");
        }
    }

    @AfterEach
    void close() throws IOException {
        queue.close();
    }

    private int run(String... args) {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listPrintsOneTabSeparatedLinePerMessageOldestFirst() throws IOException {
        assertThat(run("queue", "list", dir.toString())).isEqualTo(0);

        assertThat(out()).isEqualTo(waiting.id() + "\tqueued\t2024-05-01T10:00:00Z\t2024-05-01T10:02:00Z\t1\t1\tapp@example.com"
                + "\talice@example.org,bob@example.org\trelay.example.com:587\tdeferred: 454 4.7.4 TLS is required, still\n"
                + fresh.id() + "\tqueued\t2024-05-01T10:00:00Z\t2024-05-01T10:00:00Z\t0\t2\t<>\tpostmaster@example.net"
                + "\tmx.example.net:25\t454 4.7.5 TLSA lookup error\n");
        assertThat(err()).isEmpty();
    }

    @Test
    void listShowsAMessageBeingDeliveredAndACorruptEntry() throws IOException {
        Files.write(dir.resolve("active/" + waiting.id() + ".meta"), "garbage".getBytes(StandardCharsets.UTF_8));

        try (Claim claim = queue.claim(fresh.id(), QUEUED.plusSeconds(1), m -> true).get()) {
            assertThat(run("queue", "list", dir.toString())).isEqualTo(0);
        }

        assertThat(out()).startsWith(fresh.id() + "\tdelivering\t")
                .endsWith(waiting.id() + "\tcorrupt\t-\t-\t-\t-\t-\t-\t-\t" + dir.resolve("active/" + waiting.id() + ".meta")
                        + ": unreadable: line 1: not \"field: value\"\n");
    }

    @Test
    void showPrintsEveryFieldButNoPassword() {
        assertThat(run("queue", "show", dir.toString(), waiting.id())).isEqualTo(0);

        assertThat(out()).isEqualTo("id: " + waiting.id() + "\n"
                + "state: queued\n"
                + "queued-at: 2024-05-01T10:00:00.250Z\n"
                + "next-attempt: 2024-05-01T10:02:00.250Z\n"
                + "size: 1\n"
                + "from: app@example.com\n"
                + "to: alice@example.org\n"
                + "to: bob@example.org\n"
                + "relay: smtp relay.example.com:587\n"
                + "user: app\n"
                + "property: mail.smtp.auth=true\n"
                + "reason: 454 4.7.4 TLS is required, but was not offered by host relay.example.com[192.0.2.1]\n"
                + "attempt: 2024-05-01T10:01:00.250Z deferred: 454 4.7.4 TLS is required, still\n"
                + "file: " + dir.resolve("active/" + waiting.id() + ".eml") + "\n");
    }

    @Test
    void showOfADeadMessageSaysWhenAndWhy() {
        assertThat(run("queue", "show", dir.toString(), dead.id())).isEqualTo(0);

        assertThat(out()).contains("state: dead\n", "dead-reason: 550 5.1.1 <nobody@example.org>: Recipient address rejected\n",
                "file: " + dir.resolve("dead/" + dead.id() + ".eml"));
    }

    @Test
    void deadListsTheGivenUpMessagesWithTheReason() {
        assertThat(run("queue", "dead", dir.toString())).isEqualTo(0);

        assertThat(out()).isEqualTo(dead.id() + "\t2024-05-01T10:00:00Z\t2024-05-01T10:00:00Z\t1\t1\tapp@example.com"
                + "\tnobody@example.org\tmx.example.org:25\t550 5.1.1 <nobody@example.org>: Recipient address rejected\n");
    }

    @Test
    void retryMakesOneOrAllMessagesDueNow() throws IOException {
        assertThat(run("queue", "retry", dir.toString(), waiting.id())).isEqualTo(0);
        assertThat(out()).isEqualTo(waiting.id() + ": due now\n");
        assertThat(queue.find(waiting.id()).get().nextAttempt()).isBefore(Instant.now().plusSeconds(1));

        out.reset();
        assertThat(run("queue", "retry", dir.toString())).isEqualTo(0);
        assertThat(out()).isEqualTo("0 messages made due now\n");
    }

    @Test
    void deleteRemovesAMessageOnceAndRefusesOneBeingDelivered() throws IOException {
        try (Claim claim = queue.claim(fresh.id(), QUEUED.plusSeconds(1), m -> true).get()) {
            assertThat(run("queue", "delete", dir.toString(), fresh.id())).isEqualTo(1);
            assertThat(err()).isEqualTo("mailtls queue: " + fresh.id() + " is being delivered right now; try again when the"
                    + " attempt is over\n");
        }

        assertThat(run("queue", "delete", dir.toString(), fresh.id())).isEqualTo(0);
        assertThat(out()).isEqualTo(fresh.id() + ": deleted\n");
        assertThat(queue.find(fresh.id())).isEmpty();
        assertThat(run("queue", "delete", dir.toString(), dead.id())).isEqualTo(0);
        assertThat(queue.dead()).isEmpty();
    }

    @Test
    void anUnknownIdIsExitCode1() {
        assertThat(run("queue", "show", dir.toString(), "0000000000000000000A")).isEqualTo(1);
        assertThat(err()).isEqualTo("mailtls queue: no message 0000000000000000000A in " + dir + "\n");

        err.reset();
        assertThat(run("queue", "delete", dir.toString(), "../../etc/passwd")).isEqualTo(1);
        assertThat(err()).contains("(a queue id is 20 hex digits, as \"queue list\" shows)");
        assertThat(run("queue", "retry", dir.toString(), "0000000000000000000A")).isEqualTo(1);
    }

    @Test
    void aPathThatIsNoQueueIsAUsageErrorAndCreatesNothing() {
        Path typo = dir.resolve("typo");

        assertThat(run("queue", "list", typo.toString())).isEqualTo(2);

        assertThat(err()).isEqualTo("mailtls queue: " + typo + " is not a MailTLS Guard queue directory (no active/, dead/,"
                + " tmp/ and queue.lock inside); give the directory of mailtls.queue.dir\n");
        assertThat(typo).doesNotExist();
    }

    @Test
    void wrongArgumentsAreUsageErrors() {
        assertThat(run("queue")).isEqualTo(2);
        assertThat(err()).contains("usage: queue list DIR | queue show DIR ID | queue retry DIR [ID]");
        assertThat(run("queue", "show", dir.toString())).isEqualTo(2);
        assertThat(run("queue", "list", dir.toString(), "extra")).isEqualTo(2);
        err.reset();
        assertThat(run("queue", "flush", dir.toString())).isEqualTo(2);
        assertThat(err()).startsWith("mailtls queue: unknown action \"flush\"");
    }

    @Test
    void helpListsTheQueueCommand() {
        assertThat(run("help")).isEqualTo(0);
        assertThat(out()).contains("queue list DIR | show DIR ID | retry DIR [ID] | delete DIR ID | dead DIR");
    }
}
