package dev.relato;

import java.time.Duration;
import java.util.Optional;

/**
 * A running subscription to the global log. Thread-safe: it may be watched and closed from any thread.
 */
public interface Subscription extends AutoCloseable {

    /** Position of the last event delivered (or skipped by the filter); the start position before any. */
    long position();

    /** Whether catch-up has ended and the subscription is following live appends. */
    boolean isCaughtUp();

    /**
     * Waits until catch-up has ended.
     *
     * @return true if caught up, false if the timeout passed or the subscription stopped first
     */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException;

    /** Where it stands: catching up, live, retrying, closed or failed. */
    SubscriptionState state();

    /** Whether it still delivers events: not closed and not failed. */
    default boolean isRunning() {
        return state().isRunning();
    }

    /** Why it stopped, if it failed. */
    Optional<Throwable> failure();

    /**
     * Stops delivery. Waits for a listener call in progress to return, at most the store's
     * {@link SubscriptionOptions#closeTimeout()}; past it, the subscription's thread is interrupted and
     * {@code close} returns anyway. No listener call starts afterwards. Idempotent.
     */
    @Override
    void close();
}
