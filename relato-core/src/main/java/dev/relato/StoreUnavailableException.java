package dev.relato;

import org.jspecify.annotations.Nullable;

/**
 * The store could not be reached or failed in a transient way: the connection was lost, the server is
 * restarting, shutting down or out of resources, a transaction lost a serialization or deadlock race, a
 * database file was busy, a request timed out. Retrying later may succeed; every retry in Relato backs off
 * with jitter and gives up at a ceiling.
 *
 * <p>For an append the outcome is all or nothing but may be unknown to the caller: retrying the same append
 * with the same event ids is safe, because appends are idempotent by event id.
 *
 * <p>Each store decides what is transient from an allow-list, adjustable with an {@link ErrorClassifier};
 * anything else surfaces as {@link StoreFailureException}.
 */
public class StoreUnavailableException extends RelatoException {
    public StoreUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
