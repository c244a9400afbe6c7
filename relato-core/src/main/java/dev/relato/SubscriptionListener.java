package dev.relato;

import java.util.Optional;

/**
 * Receives the events of a {@link Subscription}. Called on the subscription's own thread, one call at a
 * time, so an implementation needs no locking of its own for state touched only from these callbacks.
 */
@FunctionalInterface
public interface SubscriptionListener {

    /**
     * One event. If this throws, the subscription stops and {@link #onStopped(Optional)} receives the
     * exception; the event counts as not delivered ({@link Subscription#position()} stays before it).
     */
    void onEvent(RecordedEvent event) throws Exception;

    /** Catch-up has ended: every event stored up to {@code position} has been delivered. Called once. */
    default void onCaughtUp(long position) {
    }

    /** The subscription ended: closed by its owner (empty), or failed (the cause). Called once. */
    default void onStopped(Optional<Throwable> failure) {
    }
}
