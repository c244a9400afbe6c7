package dev.relato.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PollingSubscriptionSettingsTest {

    @Test
    void aZeroBackoffWouldTurnAFailingReadIntoABusyLoopAndIsRefused() {
        assertThatThrownBy(() -> new PollingSubscription.Settings(100, Duration.ofMillis(250), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximum backoff");
        assertThatThrownBy(() -> new PollingSubscription.Settings(100, Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poll interval");
        assertThatThrownBy(() -> new PollingSubscription.Settings(0, Duration.ofMillis(250), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch size");
    }

    @Test
    void theDefaultsAreValid() {
        assertThat(PollingSubscription.Settings.DEFAULT.maxBackoff()).isPositive();
    }
}
