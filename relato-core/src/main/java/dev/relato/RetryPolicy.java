package dev.relato;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How a failed operation is retried: exponential backoff with jitter, and a ceiling on both the number of
 * attempts and the time spent. Whoever retries (a subscription or projection runner meeting a transient
 * store failure, a repository meeting a concurrent writer) gives up once either ceiling is reached and
 * reports the last failure. Nothing in Relato retries without a ceiling. Immutable and thread-safe.
 *
 * <p>The wait before retry {@code n} (counting from 1) is drawn uniformly from the upper half of
 * {@code min(maxBackoff, initialBackoff × 2^(n-1))}: it grows exponentially, is never close to zero, and
 * spreads competing retriers apart.
 *
 * @param maxAttempts    the most attempts in all, the first included: 1 means no retry
 * @param initialBackoff the wait before the first retry (before jitter), at least 1 ms
 * @param maxBackoff     the longest wait between two attempts (before jitter), at least {@code initialBackoff}
 * @param maxElapsed     no retry starts once this much time has passed since the first failure
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxElapsed) {

    /**
     * @throws IllegalArgumentException if a bound is out of range
     */
    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initial backoff must not be null");
        Objects.requireNonNull(maxBackoff, "maximum backoff must not be null");
        Objects.requireNonNull(maxElapsed, "maximum elapsed time must not be null");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("a retry policy allows at least 1 attempt, got " + maxAttempts);
        }
        if (initialBackoff.toMillis() < 1) {
            throw new IllegalArgumentException("initial backoff must be at least 1 ms, got " + initialBackoff);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maximum backoff " + maxBackoff + " is below the initial backoff "
                    + initialBackoff);
        }
        if (maxElapsed.isNegative()) {
            throw new IllegalArgumentException("maximum elapsed time must not be negative, got " + maxElapsed);
        }
    }

    /** One attempt, no retry. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ZERO);
    }

    /**
     * Retries of an operation that fails for a while (a store restarting): from 100 ms up to 5 s apart, for at
     * most {@code giveUpAfter} since the first failure.
     */
    public static RetryPolicy whileUnavailable(Duration giveUpAfter) {
        return new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(100), Duration.ofSeconds(5), giveUpAfter);
    }

    /** This policy with another number of attempts. */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, initialBackoff, maxBackoff, maxElapsed);
    }

    /** This policy with other backoff bounds. */
    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(maxAttempts, initial, max, maxElapsed);
    }

    /** This policy with another time ceiling. */
    public RetryPolicy withMaxElapsed(Duration elapsed) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, elapsed);
    }

    /**
     * Whether another attempt may start.
     *
     * @param attemptsMade   attempts made so far, 1 or more
     * @param sinceFirstFailure time since the first attempt failed
     */
    public boolean allowsRetry(int attemptsMade, Duration sinceFirstFailure) {
        return attemptsMade < maxAttempts && sinceFirstFailure.compareTo(maxElapsed) < 0;
    }

    /**
     * The wait before retry {@code retry} (1 for the first retry), with jitter.
     *
     * @throws IllegalArgumentException if {@code retry} is below 1
     */
    public Duration backoff(int retry, RandomGenerator random) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries count from 1, got " + retry);
        }
        long initial = initialBackoff.toNanos();
        long cap = maxBackoff.toNanos();
        int doublings = retry - 1;
        long ceiling = doublings < 63 && initial <= (cap >> doublings) ? initial << doublings : cap;
        long half = ceiling / 2;
        return Duration.ofNanos(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }
}
