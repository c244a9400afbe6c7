package dev.relato.spi;

import dev.relato.RetryPolicy;
import dev.relato.StoreUnavailableException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * The retries of a loop that reads or writes a store (a subscription, a projection runner) through an outage:
 * each {@link StoreUnavailableException} waits a jittered backoff under a {@link RetryPolicy} until its ceiling.
 * An outage is not logged once per retry: a warning when it starts, then at most one warning per
 * {@link #WARN_EVERY interval} with the number of failures so far (the others at debug level), and one line when it
 * ends. Whoever gives up at the ceiling logs that, once, as it stops. Not thread-safe: one loop owns it.
 */
public final class OutageRetry {
    /** The shortest time between two warnings of one outage. */
    public static final Duration WARN_EVERY = Duration.ofMinutes(1);

    private final RetryState retries;
    private final LongSupplier nanoTime;
    private final long warnEveryNanos;
    private long lastWarnNanos;
    private int failuresAtLastWarn;
    private final RetryPolicy policy;
    private final Logger log;
    private final String subject;

    /**
     * @param subject names the loop in the log lines, such as {@code "projection 'order-list'"}
     */
    public OutageRetry(RetryPolicy policy, Logger log, String subject) {
        this(policy, log, subject, WARN_EVERY, System::nanoTime);
    }

    /**
     * @param warnEvery the shortest time between two warnings of one outage
     * @param nanoTime  the time source, as {@link System#nanoTime()}
     */
    public OutageRetry(RetryPolicy policy, Logger log, String subject, Duration warnEvery, LongSupplier nanoTime) {
        this.policy = Objects.requireNonNull(policy, "retry policy must not be null");
        this.nanoTime = Objects.requireNonNull(nanoTime, "time source must not be null");
        this.warnEveryNanos = warnEvery.toNanos();
        this.retries = new RetryState(policy, nanoTime);
        this.log = Objects.requireNonNull(log, "logger must not be null");
        this.subject = Objects.requireNonNull(subject, "subject must not be null");
    }

    /**
     * Records a failed attempt.
     *
     * @return the wait before the next attempt, or empty if the policy's ceiling is reached: give up
     */
    public Optional<Duration> failed(StoreUnavailableException failure) {
        Optional<Duration> backoff = retries.failed();
        if (backoff.isPresent()) {
            long now = nanoTime.getAsLong();
            if (retries.failures() == 1) {
                lastWarnNanos = now;
                failuresAtLastWarn = 1;
                log.warn("{}: the store is unavailable; retrying with backoff (up to {} attempts over {}): {}", subject,
                        policy.maxAttempts() == Integer.MAX_VALUE ? "unlimited" : policy.maxAttempts(),
                        policy.maxElapsed(), failure.toString());
            } else if (now - lastWarnNanos >= warnEveryNanos) {
                log.warn("{}: the store is still unavailable: {} failures in a row, {} since the last warning: {}",
                        subject, retries.failures(), retries.failures() - failuresAtLastWarn, failure.toString());
                lastWarnNanos = now;
                failuresAtLastWarn = retries.failures();
            } else {
                log.debug("{}: the store is still unavailable ({} failures in a row): {}", subject, retries.failures(),
                        failure.toString());
            }
        }
        return backoff;
    }

    /** Records a success: logs the end of an outage, if there was one, and starts afresh. */
    public void succeeded() {
        if (retries.isFailing()) {
            log.info("{}: the store is available again after {} failed attempts", subject, retries.failures());
            retries.succeeded();
        }
    }

    /** Failed attempts in a row; 0 after a success. */
    public int failures() {
        return retries.failures();
    }

    /** The policy retried under. */
    public RetryPolicy policy() {
        return policy;
    }
}
