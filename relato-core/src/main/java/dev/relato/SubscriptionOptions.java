package dev.relato;

import java.time.Duration;
import java.util.Objects;

/**
 * How a store's subscriptions read the global log. Set once on the store's builder; every subscription of
 * that store uses it. Immutable and thread-safe.
 *
 * @param batchSize    events fetched per read, 1 to 100,000
 * @param pollInterval longest wait at the head of the log before looking again without being signalled
 *                     (signals come from the store's own appends and, where the backend has them, from other
 *                     processes' appends), at least 1 ms
 * @param retry        how a read that fails with {@link StoreUnavailableException} is retried; past its ceiling
 *                     the subscription stops as {@link SubscriptionState#FAILED}. Any other failure stops it at
 *                     once.
 * @param closeTimeout how long {@link Subscription#close()} waits for a listener call in progress before it
 *                     interrupts the subscription's thread and returns
 */
public record SubscriptionOptions(int batchSize, Duration pollInterval, RetryPolicy retry, Duration closeTimeout) {
    /** 500 events per read, a 250 ms poll, retries from 100 ms to 5 s apart for 5 minutes, a 10 s close. */
    public static final SubscriptionOptions DEFAULT = new SubscriptionOptions(500, Duration.ofMillis(250),
            RetryPolicy.whileUnavailable(Duration.ofMinutes(5)), Duration.ofSeconds(10));

    /**
     * @throws IllegalArgumentException if a value is out of range
     */
    public SubscriptionOptions {
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("batch size must be 1 to 100000, got " + batchSize);
        }
        Objects.requireNonNull(pollInterval, "poll interval must not be null");
        Objects.requireNonNull(retry, "retry policy must not be null");
        Objects.requireNonNull(closeTimeout, "close timeout must not be null");
        if (pollInterval.toMillis() < 1) {
            throw new IllegalArgumentException("poll interval must be at least 1 ms, got " + pollInterval);
        }
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("close timeout must not be negative, got " + closeTimeout);
        }
    }

    public SubscriptionOptions withBatchSize(int size) {
        return new SubscriptionOptions(size, pollInterval, retry, closeTimeout);
    }

    public SubscriptionOptions withPollInterval(Duration interval) {
        return new SubscriptionOptions(batchSize, interval, retry, closeTimeout);
    }

    public SubscriptionOptions withRetry(RetryPolicy policy) {
        return new SubscriptionOptions(batchSize, pollInterval, policy, closeTimeout);
    }

    public SubscriptionOptions withCloseTimeout(Duration timeout) {
        return new SubscriptionOptions(batchSize, pollInterval, retry, timeout);
    }
}
