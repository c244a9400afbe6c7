package dev.relato;

import org.jspecify.annotations.Nullable;

/**
 * Input that Relato refuses before anything is written or read: a stream id, category, event type,
 * metadata entry, filter or payload that breaks a rule (blank, too long, a control character, an unpaired
 * UTF-16 surrogate, JSON that is not well-formed or exceeds a limit the read side enforces). The message
 * names the value and the rule; nothing was changed. Values that may come from outside the program
 * (names, ids, payloads, metadata, filters) are checked with this exception; misuse of the API itself (a
 * null argument, a negative size) throws {@link NullPointerException} or {@link IllegalArgumentException}.
 */
public class InvalidInputException extends RelatoException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
