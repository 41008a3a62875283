package dev.mailtls.james;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    private final RetrySchedule schedule = new RetrySchedule(Arrays.asList(60_000L, 300_000L, 3_600_000L), 5, 86_400_000L);

    @Test
    void delaysFollowTheListAndTheLastRepeats() {
        assertThat(schedule.delayAfter(1)).isEqualTo(60_000L);
        assertThat(schedule.delayAfter(2)).isEqualTo(300_000L);
        assertThat(schedule.delayAfter(3)).isEqualTo(3_600_000L);
        assertThat(schedule.delayAfter(9)).isEqualTo(3_600_000L);
    }

    @Test
    void givenUpAfterTheLastAttempt() {
        assertThat(schedule.exhausted(4, 0)).isFalse();
        assertThat(schedule.exhausted(5, 0)).isTrue();
    }

    @Test
    void givenUpWhenTheNextAttemptWouldComeAfterTheMaximumAge() {
        assertThat(schedule.exhausted(3, 86_400_000L - 3_600_000L)).isFalse();
        assertThat(schedule.exhausted(3, 86_400_000L - 3_599_999L)).isTrue();
    }

    @Test
    void describesItselfInParameterSyntax() {
        assertThat(schedule).hasToString("retryDelays=1m,5m,1h maxAttempts=5 maxAge=1d");
    }
}
