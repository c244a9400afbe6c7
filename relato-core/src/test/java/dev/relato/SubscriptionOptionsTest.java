package dev.relato;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SubscriptionOptionsTest {

    @Test
    void refusesValuesThatWouldSpinOrNeverRead() {
        assertThatThrownBy(() -> SubscriptionOptions.DEFAULT.withPollInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poll interval");
        assertThatThrownBy(() -> SubscriptionOptions.DEFAULT.withBatchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch size");
        assertThatThrownBy(() -> SubscriptionOptions.DEFAULT.withCloseTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("close timeout");
    }

    @Test
    void theDefaultRetriesBackOffAndGiveUp() {
        RetryPolicy retry = SubscriptionOptions.DEFAULT.retry();
        assertThat(retry.initialBackoff()).isPositive();
        assertThat(retry.maxElapsed()).isEqualTo(Duration.ofMinutes(5));
    }
}
