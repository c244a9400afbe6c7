package dev.relato;

import java.util.Objects;

/**
 * Decides whether a failure of the store's driver is transient (worth retrying later) or permanent. Every
 * store has its own allow-list of transient conditions (a lost connection, a serialization failure or
 * deadlock, a server shutting down or out of resources, a busy SQLite file, a NATS timeout or I/O error)
 * and treats everything else as permanent. A classifier given to a store's builder sees each failure with
 * the store's own verdict and may change it, for example to treat a proxy's custom error code as transient.
 *
 * <p>The store then throws {@link StoreUnavailableException} for a transient failure and
 * {@link StoreFailureException} for a permanent one. Implementations must be thread-safe and fast: they run
 * on the failing call's thread.
 */
@FunctionalInterface
public interface ErrorClassifier {

    /** Whether a failure is worth retrying. */
    enum Kind {
        /** Retrying later may succeed. */
        TRANSIENT,
        /** Retrying will not help; the failure surfaces at once. */
        PERMANENT
    }

    /**
     * @param error        the driver's exception (a {@code SQLException}, an {@code IOException}, a
     *                     {@code JetStreamApiException}, …)
     * @param storeVerdict what the store's own allow-list says
     * @return the kind to act on; returning {@code storeVerdict} keeps the store's behaviour
     */
    Kind classify(Throwable error, Kind storeVerdict);

    /** The store's own verdict, unchanged. */
    static ErrorClassifier storeDefault() {
        return (error, storeVerdict) -> storeVerdict;
    }

    /**
     * The store's verdict after this classifier, never null.
     *
     * @throws NullPointerException if this classifier returns null
     */
    default Kind apply(Throwable error, Kind storeVerdict) {
        return Objects.requireNonNull(classify(error, storeVerdict),
                "error classifier " + this + " returned null for " + error);
    }

    /**
     * The exception to throw for a failure: {@link StoreUnavailableException} if transient after this
     * classifier, {@link StoreFailureException} otherwise.
     *
     * @param message what was being done and what failed
     */
    default RelatoException exception(String message, Throwable error, Kind storeVerdict) {
        return apply(error, storeVerdict) == Kind.TRANSIENT
                ? new StoreUnavailableException(message, error)
                : new StoreFailureException(message, error);
    }
}
