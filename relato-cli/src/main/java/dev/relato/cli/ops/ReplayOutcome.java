package dev.relato.cli.ops;

/** How a replay of a dead letter went, as far as the operator waited to see. */
public enum ReplayOutcome {
    /** The handler succeeded and the dead letter was removed. */
    REPLAYED,
    /** The handler failed again; the dead letter holds the new error. */
    FAILED_AGAIN,
    /** Asked for: the projection's runner replays it when it next looks (it has not yet, or none runs now). */
    REQUESTED
}
