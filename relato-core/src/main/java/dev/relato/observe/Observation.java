package dev.relato.observe;

import dev.relato.Metadata;

/**
 * One observed operation, from its start (the {@link RelatoObserver} method that returned it) to
 * {@link #end}. Ended exactly once, on the thread that started it.
 */
public interface Observation {
    /** An observation that records nothing. */
    Observation NONE = (outcome, count) -> { };

    /**
     * The metadata to store with an appended event: {@code metadata} plus whatever this observation carries to
     * the event's later handlers (a trace context, for example). By default {@code metadata} itself.
     */
    default Metadata carry(Metadata metadata) {
        return metadata;
    }

    /**
     * Ends the operation.
     *
     * @param outcome how it ended
     * @param count   the events it wrote, read or handled (0 after a failure)
     */
    void end(Outcome outcome, int count);

    /** Ends the operation after {@code failure}. */
    default void failed(Throwable failure) {
        end(Outcome.of(failure), 0);
    }
}
