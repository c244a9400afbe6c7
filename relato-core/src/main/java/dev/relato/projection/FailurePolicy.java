package dev.relato.projection;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a {@link ProjectionRunner} does when a handler (or the decoding of an event) throws: it tries the
 * event again up to {@code maxAttempts} times in all, waiting {@code initialBackoff}, then twice as long each
 * time up to {@code maxBackoff} (each wait less up to a half, at random); when the attempts are exhausted it
 * either stops ({@link Exhausted#STOP}: the runner fails, its checkpoint stays just before the event) or skips
 * the event ({@link Exhausted#SKIP}: the event is recorded in the runner's {@link DeadLetterStore} and the
 * runner goes on).
 *
 * <p>A {@link Error} thrown by a handler is never retried or skipped: the runner fails at once, as if the
 * process had died. Immutable and thread-safe.
 *
 * @param maxAttempts    attempts per event in all, 1 or more (1: no retry)
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff     the longest wait between attempts
 * @param whenExhausted  what to do with an event that failed {@code maxAttempts} times
 */
public record FailurePolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Exhausted whenExhausted) {

    /** What to do with an event that keeps failing. */
    public enum Exhausted {
        /** The runner fails (state {@link ProjectionState#FAILED}); its checkpoint stays before the event. */
        STOP,
        /** The event is recorded as a {@link DeadLetter} and the runner goes on with the next one. */
        SKIP
    }

    /** Three attempts, 100 ms then 200 ms apart, then stop. */
    public static final FailurePolicy DEFAULT = new FailurePolicy(3, Duration.ofMillis(100), Duration.ofSeconds(5),
            Exhausted.STOP);

    public FailurePolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(whenExhausted, "whenExhausted");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be 1 or more, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must be 0 or more and max backoff at least the initial one, got "
                    + initialBackoff + " and " + maxBackoff);
        }
    }

    /** Up to {@code maxAttempts} attempts per event, {@code backoff} apart at first, doubling up to 30 times that; then stop. */
    public static FailurePolicy retry(int maxAttempts, Duration backoff) {
        Objects.requireNonNull(backoff, "backoff");
        return new FailurePolicy(maxAttempts, backoff, backoff.multipliedBy(30), Exhausted.STOP);
    }

    /** This policy, stopping the runner on an event that keeps failing. */
    public FailurePolicy thenStop() {
        return new FailurePolicy(maxAttempts, initialBackoff, maxBackoff, Exhausted.STOP);
    }

    /** This policy, recording an event that keeps failing as a dead letter and going on. */
    public FailurePolicy thenSkip() {
        return new FailurePolicy(maxAttempts, initialBackoff, maxBackoff, Exhausted.SKIP);
    }

    /**
     * The wait after failed attempt {@code attempt} (1-based): drawn at random from the upper half of
     * {@code min(maxBackoff, initialBackoff × 2^(attempt-1))}, so that runners failing together spread apart.
     */
    Duration backoffAfter(int attempt) {
        Duration wait = initialBackoff;
        for (int i = 1; i < attempt && wait.compareTo(maxBackoff) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        long ceiling = (wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait).toNanos();
        long half = ceiling / 2;
        return Duration.ofNanos(ceiling - (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0));
    }
}
