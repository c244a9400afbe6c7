package dev.relato;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.spi.RetryState;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final RetryPolicy POLICY = new RetryPolicy(5, Duration.ofMillis(10), Duration.ofMillis(100),
            Duration.ofSeconds(1));

    @Test
    void backoffGrowsExponentiallyWithinTheUpperHalfUpToTheCap() {
        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            assertThat(POLICY.backoff(1, random)).isBetween(Duration.ofMillis(5), Duration.ofMillis(10));
            assertThat(POLICY.backoff(2, random)).isBetween(Duration.ofMillis(10), Duration.ofMillis(20));
            assertThat(POLICY.backoff(4, random)).isBetween(Duration.ofMillis(40), Duration.ofMillis(80));
            assertThat(POLICY.backoff(5, random)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(POLICY.backoff(1000, random)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        }
    }

    @Test
    void backoffIsJittered() {
        Random random = new Random(7);
        long distinct = java.util.stream.IntStream.range(0, 100).mapToObj(i -> POLICY.backoff(3, random)).distinct().count();
        assertThat(distinct).isGreaterThan(50);
    }

    @Test
    void givesUpAtTheAttemptCeiling() {
        RetryState state = new RetryState(POLICY, () -> 0);
        for (int i = 0; i < 4; i++) {
            assertThat(state.failed()).isPresent();
        }
        assertThat(state.failed()).isEmpty();
        assertThat(state.failures()).isEqualTo(5);
    }

    @Test
    void givesUpAtTheTimeCeilingAndStartsAfreshAfterASuccess() {
        AtomicLong now = new AtomicLong();
        RetryState state = new RetryState(POLICY.withMaxAttempts(Integer.MAX_VALUE), now::get);
        assertThat(state.failed()).isPresent();
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(state.failed()).isPresent();
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(state.failed()).isEmpty();
        state.succeeded();
        assertThat(state.isFailing()).isFalse();
        assertThat(state.failed()).isPresent();
    }

    @Test
    void noneAllowsOneAttempt() {
        assertThat(new RetryState(RetryPolicy.none()).failed()).isEmpty();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, Duration.ofMillis(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofMillis(5), Duration.ofMillis(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> POLICY.backoff(0, new Random()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void classifierTurnsVerdictsIntoExceptions() {
        Exception cause = new Exception("boom");
        assertThat(ErrorClassifier.storeDefault().exception("x", cause, ErrorClassifier.Kind.TRANSIENT))
                .isInstanceOf(StoreUnavailableException.class).hasCause(cause);
        assertThat(ErrorClassifier.storeDefault().exception("x", cause, ErrorClassifier.Kind.PERMANENT))
                .isInstanceOf(StoreFailureException.class).hasMessage("x");
        ErrorClassifier allTransient = (e, verdict) -> ErrorClassifier.Kind.TRANSIENT;
        assertThat(allTransient.exception("x", cause, ErrorClassifier.Kind.PERMANENT))
                .isInstanceOf(StoreUnavailableException.class);
    }
}
