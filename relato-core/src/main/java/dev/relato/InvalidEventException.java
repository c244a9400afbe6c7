package dev.relato;

import org.jspecify.annotations.Nullable;

/**
 * An event refused before anything was written: an empty append, a duplicate event id within one append,
 * an invalid type name, a payload or metadata that is not well-formed JSON or breaks a limit of the read
 * side, or an event over the store's size limit. The message names what was wrong; the stream is left as
 * it was.
 */
public class InvalidEventException extends InvalidInputException {
    public InvalidEventException(String message) {
        super(message);
    }

    public InvalidEventException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
