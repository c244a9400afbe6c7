package dev.relato.projection;

/** Where a {@link ProjectionRunner} is in its life. */
public enum ProjectionState {
    /** Started; the checkpoint is being loaded or the lease sought for the first time. */
    STARTING,
    /** Handling stored events; behind the head of the log. */
    CATCHING_UP,
    /** Has handled everything stored when it last looked, and follows new events as they arrive. */
    CAUGHT_UP,
    /**
     * A handler failed and the runner waits before trying the event again, or the store is unavailable and the
     * runner waits before trying it again.
     */
    RETRYING,
    /** Another node holds the projection's lease; this runner waits to take over. */
    STANDBY,
    /**
     * An operator paused the projection ({@link CheckpointStore#pause}): the runner handles nothing and keeps its
     * checkpoint, and goes on from it once resumed.
     */
    PAUSED,
    /** Closed by its owner, or done: a {@link ProjectionRunner.Builder#catchUp() catch-up} that has caught up. */
    STOPPED,
    /**
     * Stopped by a failure: an event kept failing under a stop policy, the store failed permanently or stayed
     * unavailable past the runner's retry policy, or a handler threw an {@link Error}.
     */
    FAILED;

    /** Whether the runner's thread has ended (closed or failed). */
    public boolean isTerminal() {
        return this == STOPPED || this == FAILED;
    }
}
