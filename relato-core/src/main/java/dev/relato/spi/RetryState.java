package dev.relato.spi;

import dev.relato.RetryPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The progress of one run of retries under a {@link RetryPolicy}: how many attempts failed in a row and
 * since when. A loop calls {@link #failed()} after each failure and waits the returned backoff, or gives up
 * when it returns empty; it calls {@link #succeeded()} after a success, which starts afresh. Not
 * thread-safe: one retrying loop owns it.
 */
public final class RetryState {
    private final RetryPolicy policy;
    private final LongSupplier nanoTime;
    private int failures;
    private long firstFailureNanos;

    /** Retries timed by {@link System#nanoTime()}. */
    public RetryState(RetryPolicy policy) {
        this(policy, System::nanoTime);
    }

    /** Retries timed by the given monotonic nanosecond source (tests). */
    public RetryState(RetryPolicy policy, LongSupplier nanoTime) {
        this.policy = Objects.requireNonNull(policy, "retry policy must not be null");
        this.nanoTime = Objects.requireNonNull(nanoTime, "time source must not be null");
    }

    /**
     * Records a failed attempt.
     *
     * @return the wait before the next attempt, or empty if the policy's ceiling is reached
     */
    public Optional<Duration> failed() {
        long now = nanoTime.getAsLong();
        if (failures == 0) {
            firstFailureNanos = now;
        }
        failures++;
        if (!policy.allowsRetry(failures, Duration.ofNanos(now - firstFailureNanos))) {
            return Optional.empty();
        }
        return Optional.of(policy.backoff(failures, ThreadLocalRandom.current()));
    }

    /** Records a success: the next failure starts a new run of retries. */
    public void succeeded() {
        failures = 0;
    }

    /** Failed attempts in a row so far; 0 after a success. */
    public int failures() {
        return failures;
    }

    /** Whether the last attempt failed (and no success came since). */
    public boolean isFailing() {
        return failures > 0;
    }

    /**
     * Waits {@code backoff} before the next attempt after {@code failure}. An interrupted wait rethrows
     * {@code failure} at once, with the interrupt recorded on it and the thread's interrupt flag set.
     */
    public static void pause(Duration backoff, RuntimeException failure) {
        try {
            TimeUnit.NANOSECONDS.sleep(backoff.toNanos());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            failure.addSuppressed(interrupted);
            throw failure;
        }
    }
}
