package dev.relato;

import org.jspecify.annotations.Nullable;

/**
 * Root of every exception Relato throws. Unchecked: callers catch the specific subclasses they can
 * act on ({@link WrongExpectedVersionException}, {@link DuplicateEventException},
 * {@link EventDecodingException}, {@link InvalidEventException}, {@link StoreUnavailableException})
 * and let the rest propagate.
 */
public class RelatoException extends RuntimeException {
    public RelatoException(String message) {
        super(message);
    }

    public RelatoException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
