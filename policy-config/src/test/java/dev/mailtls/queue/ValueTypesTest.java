package dev.mailtls.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValueTypesTest {
    @Test
    void theRetryScheduleRepeatsItsLastInterval() {
        RetrySchedule schedule = RetrySchedule.DEFAULT;

        assertThat(schedule.delayAfter(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(schedule.delayAfter(2)).isEqualTo(Duration.ofMinutes(5));
        assertThat(schedule.delayAfter(5)).isEqualTo(Duration.ofHours(4));
        assertThat(schedule.delayAfter(50)).isEqualTo(Duration.ofHours(4));
        assertThat(schedule.delayAfter(0)).as("no failure yet: the first interval").isEqualTo(Duration.ofMinutes(1));
        assertThat(schedule).hasToString("1m,5m,15m,1h,4h");
        assertThatThrownBy(() -> RetrySchedule.of()).hasMessage("a retry schedule needs at least one interval");
        assertThatThrownBy(() -> RetrySchedule.of(Duration.ZERO)).hasMessageContaining("must be positive");
    }

    @Test
    void settingsDefaultToPostfixLikeLimits() {
        QueueSettings settings = QueueSettings.builder(Paths.get("/var/spool/mailtls")).build();

        assertThat(settings.retry()).isEqualTo(RetrySchedule.DEFAULT);
        assertThat(settings.maxAge()).isEqualTo(Duration.ofDays(5));
        assertThat(settings.maxBytes()).isEqualTo(1L << 30);
        assertThat(settings.maxMessages()).isZero();
    }

    @Test
    void destinationsDropCredentialKeysAndRefuseNonsense() {
        SmtpDestination destination = SmtpDestination.builder().protocol("smtps").host("2001:db8::25").port(465)
                .sessionProperty("mail.smtps.password", "hunter2").sessionProperty("mail.smtps.ssl.enable", "true").build();

        assertThat(destination.sessionProperties()).containsOnlyKeys("mail.smtps.ssl.enable");
        assertThat(destination.relay()).isEqualTo("[2001:db8::25]:465");
        assertThat(destination.user()).isNull();
        assertThatThrownBy(() -> SmtpDestination.builder().protocol("imap")).hasMessageContaining("smtp or smtps");
        assertThatThrownBy(() -> SmtpDestination.builder().port(0)).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> SmtpDestination.builder().host("evil\nhost")).hasMessageContaining("not a host name");
        assertThatThrownBy(() -> SmtpDestination.builder().build()).hasMessage("host is required");
    }

    @Test
    void envelopesNeedARecipientAndNoLineBreaks() {
        assertThat(Envelope.of("", "a@example.org").sender()).isEmpty();
        assertThatThrownBy(() -> Envelope.of("a@example.org")).hasMessage("an envelope needs at least one recipient");
        assertThatThrownBy(() -> Envelope.of("a@example.org\r\nRCPT TO:<x@evil>", "b@example.org"))
                .hasMessageContaining("control character in envelope address");
    }

    @Test
    void queueIdsAreTwentyHexDigits() {
        assertThat(MessageId.isValid("018F3398C1001C9DF3BC")).isTrue();
        assertThat(MessageId.isValid("018f3398c1001c9df3bc")).isFalse();
        assertThat(MessageId.isValid("../../../etc/passwd")).isFalse();
        assertThatThrownBy(() -> QueuedMessage.builder("x")).hasMessage("not a queue id: \"x\"");
    }
}
