package dev.relato;

/**
 * The backing store could not be reached or failed mid-operation (connection lost, server restarted,
 * timeout). For an append the outcome is all or nothing but may be unknown to the caller: retrying the
 * same append with the same event ids is safe, because appends are idempotent by event id.
 */
public class StoreUnavailableException extends RelatoException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
