package dev.relato;

/** Where a {@link Subscription} stands. */
public enum SubscriptionState {
    /** Delivering stored events; has not yet reached the head of the log. */
    CATCHING_UP,
    /** Caught up: delivering new events as they are appended. */
    LIVE,
    /** Reads fail with {@link StoreUnavailableException}; retrying with backoff until its policy's ceiling. */
    RETRYING,
    /** Closed by its owner. */
    CLOSED,
    /** Stopped by a failure: a listener threw, a read failed permanently, or retries reached their ceiling. */
    FAILED;

    /** Whether it still delivers (or will, once the store is back). */
    public boolean isRunning() {
        return this == CATCHING_UP || this == LIVE || this == RETRYING;
    }
}
