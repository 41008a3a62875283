package dev.mailtls.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MetadataFormatTest {
    private static final Instant QUEUED = Instant.parse("2024-05-01T10:00:00.123Z");

    private static QueuedMessage sample() {
        return QueuedMessage.builder("018F3398C1001C9DF3BC")
                .envelope(Envelope.of("", "alice@example.org", "bob+tag@exämple.org"))
                .destination(SmtpDestination.builder().protocol("smtps").host("mx.example.org").port(465).user("app\\user")
                        .sessionProperty("mail.smtps.localhost", "app.example.com")
                        .sessionProperty("mail.smtps.auth.mechanisms", "PLAIN LOGIN")
                        .sessionProperty("mail.smtps.from", "a=b@example.com").build())
                .reason("454 4.7.4 TLS is required,\r\n but was not offered\tby host")
                .queuedAt(QUEUED).nextAttempt(QUEUED.plusSeconds(60)).size(1834)
                .addAttempt(new Attempt(QUEUED.plusMillis(5), "deferred: 454 4.7.4 TLS is required"))
                .addAttempt(new Attempt(QUEUED.plusSeconds(61), "deferred: line one\nline two \\n not an escape"))
                .build();
    }

    @Test
    void everyFieldSurvivesARoundTripWithEscapes() {
        QueuedMessage original = sample();

        QueuedMessage read = MetadataFormat.read(MetadataFormat.write(original));

        assertThat(read.id()).isEqualTo(original.id());
        assertThat(read.envelope()).isEqualTo(original.envelope());
        assertThat(read.envelope().sender()).isEmpty();
        assertThat(read.destination()).isEqualTo(original.destination());
        assertThat(read.reason()).isEqualTo(original.reason());
        assertThat(read.queuedAt()).isEqualTo(QUEUED);
        assertThat(read.nextAttempt()).isEqualTo(original.nextAttempt());
        assertThat(read.attempts()).isEqualTo(original.attempts());
        assertThat(read.size()).isEqualTo(1834);
        assertThat(read.deadAt()).isEmpty();
    }

    @Test
    void theFileIsOneFieldPerLineReadableText() {
        String text = new String(MetadataFormat.write(sample()), StandardCharsets.UTF_8);

        assertThat(text).startsWith("# MailTLS Guard queue entry.")
                .contains("\nformat: 1\n", "\nid: 018F3398C1001C9DF3BC\n", "\nqueued-at: 2024-05-01T10:00:00.123Z\n",
                        "\nfrom: \n", "\nto: alice@example.org\nto: bob+tag@exämple.org\n", "\nuser: app\\\\user\n",
                        "\nproperty: mail.smtps.from=a=b@example.com\n",
                        "\nreason: 454 4.7.4 TLS is required,\\r\\n but was not offered\\u0009by host\n",
                        "\nattempt: 2024-05-01T10:01:01.123Z deferred: line one\\nline two \\\\n not an escape\n")
                .endsWith("\nend\n");
    }

    @Test
    void deadMessagesKeepWhenAndWhy() {
        QueuedMessage dead = sample().toBuilder().dead(QUEUED.plusSeconds(3600), "expired: still undelivered after 5d").build();

        QueuedMessage read = MetadataFormat.read(MetadataFormat.write(dead));

        assertThat(read.deadAt()).contains(QUEUED.plusSeconds(3600));
        assertThat(read.deadReason()).contains("expired: still undelivered after 5d");
    }

    @Test
    void passwordsNeverReachTheFile() {
        SmtpDestination destination = SmtpDestination.builder().host("relay.example.com").port(587).user("app")
                .sessionProperty("mail.smtp.password", "hunter2")
                .sessionProperty("mail.smtp.PassWord", "hunter3")
                .sessionProperty("mail.smtp.sasl.passwd", "hunter4")
                .sessionProperty("mail.smtp.client.secret", "hunter5")
                .sessionProperty("mail.smtp.starttls.enable", "true").build();
        QueuedMessage message = sample().toBuilder().destination(destination).build();

        String text = new String(MetadataFormat.write(message), StandardCharsets.UTF_8);

        assertThat(destination.sessionProperties()).containsOnlyKeys("mail.smtp.starttls.enable");
        assertThat(text).doesNotContainIgnoringCase("password").doesNotContain("hunter").contains("mail.smtp.starttls.enable=true");
    }

    @Test
    void truncatedUnknownOrIncompleteFilesAreRefusedWithTheLine() {
        String good = new String(MetadataFormat.write(sample()), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> read(good.substring(0, good.length() / 2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> read(good.replace("\nend\n", "\n")))
                .hasMessageContaining("no \"end\" line: the file is truncated");
        assertThatThrownBy(() -> read(good.replace("format: 1", "colour: blue")))
                .hasMessageContaining("line 2: colour: unknown field");
        assertThatThrownBy(() -> read(good.replace("format: 1", "format: 7")))
                .hasMessageContaining("format 7 is not known");
        assertThatThrownBy(() -> read(good.replaceAll("\nhost: [^\n]*", "")))
                .hasMessageContaining("no \"host\" field");
        assertThatThrownBy(() -> read(good.replace("size: 1834", "size: many")))
                .hasMessageContaining("size: For input string");
        assertThatThrownBy(() -> read(good.replace("queued-at: 2024", "queued-at: yesterday 2024")))
                .hasMessageContaining("queued-at");
        assertThatThrownBy(() -> read(good.replace("\nend\n", "\nend\nmore\n")))
                .hasMessageContaining("text after \"end\"");
    }

    private static QueuedMessage read(String text) {
        return MetadataFormat.read(text.getBytes(StandardCharsets.UTF_8));
    }
}
