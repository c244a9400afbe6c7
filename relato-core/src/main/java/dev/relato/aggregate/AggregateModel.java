package dev.relato.aggregate;

/**
 * How the repository core builds an aggregate's state: what the two programming styles have in common.
 */
interface AggregateModel<S, E> {

    /** The state of aggregate {@code id} before any event. */
    S initialState(String id);

    /** The state after {@code event}, which is the event at {@code version} of the stream. */
    S evolve(S state, E event);

    /** Readies a state read from a snapshot of aggregate {@code id} at {@code version}. */
    S restored(String id, long version, S state);
}
