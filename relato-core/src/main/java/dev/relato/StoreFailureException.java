package dev.relato;

import org.jspecify.annotations.Nullable;

/**
 * The store failed in a way that retrying will not mend: a permission refused, a missing or foreign
 * schema, a constraint the store did not expect, a configuration the server rejects, or a bug. It is
 * permanent by definition: nothing in Relato retries it, and a subscription or projection runner that
 * meets it stops at once and reports it as its failure. The message says what failed; the cause is the
 * driver's exception.
 *
 * <p>Which errors are transient ({@link StoreUnavailableException}) and which are permanent is decided by
 * each store from an allow-list of transient conditions, and can be adjusted with an
 * {@link ErrorClassifier}. Anything not on the allow-list is permanent.
 */
public class StoreFailureException extends RelatoException {
    public StoreFailureException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
