package dev.mailtls.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailtls.testing.MutableClock;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageQueueTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
    private MessageQueue queue;

    @AfterEach
    void closeQueue() throws Exception {
        if (queue != null) {
            queue.close();
        }
    }

    private MessageQueue open() throws Exception {
        queue = MessageQueue.open(QueueSettings.builder(dir.resolve("queue")).build(), clock);
        return queue;
    }

    static SmtpDestination destination() {
        return SmtpDestination.builder().host("mx.example.org").port(25).user("app")
                .sessionProperty("mail.smtp.localhost", "app.example.com").build();
    }

    static MessageBody body(String text) {
        return out -> out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void enqueuedMessageIsListedClaimedAndRemovedWhenDelivered() throws Exception {
        open();
        QueuedMessage queued = queue.enqueue(Envelope.of("app@example.com", "alice@example.org"), destination(),
                "454 4.7.4 TLS is required", body("Subject: hi\r\n\r\nhello\r\n"));

        assertThat(queue.messages()).extracting(QueuedMessage::id).containsExactly(queued.id());
        Optional<Claim> claim = queue.claimDue(clock.instant());
        assertThat(claim).isPresent();
        try (Claim c = claim.get(); InputStream body = c.openBody()) {
            assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("Subject: hi\r\n\r\nhello\r\n");
            c.delivered();
        }
        assertThat(queue.messages()).isEmpty();
        assertThat(queue.stats().messages()).isZero();
    }

    @Test
    void deferralSchedulesTheNextAttempt() throws Exception {
        open();
        QueuedMessage queued = queue.enqueue(Envelope.of("", "alice@example.org"), destination(), "r", body("x"));
        try (Claim c = queue.claimDue(clock.instant()).get()) {
            c.deferred("454 4.7.4 no TLS", clock.instant());
        }
        QueuedMessage after = queue.find(queued.id()).get();
        assertThat(after.attempts()).hasSize(1);
        assertThat(after.nextAttempt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
        assertThat(queue.claimDue(clock.instant())).isEmpty();
    }
}
