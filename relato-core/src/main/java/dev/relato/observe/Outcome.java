package dev.relato.observe;

import dev.relato.DuplicateEventException;
import dev.relato.InvalidInputException;
import dev.relato.StoreUnavailableException;
import dev.relato.WrongExpectedVersionException;

/** How an observed operation ended; a bounded set, fit to be a metric tag. */
public enum Outcome {
    /** It did what was asked. */
    SUCCEEDED,
    /** An append whose events were already stored at that place: an idempotent retry, nothing written. */
    RETRIED,
    /** The expected version did not match ({@link WrongExpectedVersionException}). */
    CONFLICT,
    /** Event ids already stored elsewhere ({@link DuplicateEventException}). */
    DUPLICATE,
    /** Bad input rejected before anything was written ({@link InvalidInputException}, {@link IllegalArgumentException}). */
    INVALID,
    /** The store could not be reached ({@link StoreUnavailableException}): transient. */
    UNAVAILABLE,
    /** Any other failure. */
    FAILED;

    /** The outcome a failure stands for. */
    public static Outcome of(Throwable failure) {
        if (failure instanceof WrongExpectedVersionException) {
            return CONFLICT;
        }
        if (failure instanceof DuplicateEventException) {
            return DUPLICATE;
        }
        if (failure instanceof InvalidInputException || failure instanceof IllegalArgumentException) {
            return INVALID;
        }
        if (failure instanceof StoreUnavailableException) {
            return UNAVAILABLE;
        }
        return FAILED;
    }

    private final String tag = name().toLowerCase(java.util.Locale.ROOT);

    /** The lower-case name, as a metric tag or span attribute shows it. */
    public String tag() {
        return tag;
    }
}
