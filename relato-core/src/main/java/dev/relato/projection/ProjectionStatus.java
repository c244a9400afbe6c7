package dev.relato.projection;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a {@link ProjectionRunner}'s progress, for health checks and dashboards. Immutable and
 * thread-safe.
 *
 * @param name            the checkpoint name the runner works under (the projection's name, with the partition
 *                        suffix for a partitioned runner)
 * @param state           what the runner is doing
 * @param position        every event up to this global position has been handled (or does not concern the
 *                        projection)
 * @param headPosition    the head of the log when the runner last looked
 * @param positionsBehind {@code headPosition - position}, at least 0; positions are not contiguous in every
 *                        backend, so this measures distance in the log, not a number of events
 * @param timeBehind      how old the oldest event not yet handled is ({@link Duration#ZERO} when caught up)
 * @param lastError       the last failure (type and message), if any, kept until an event is handled again
 * @param updatedAt       when this status was taken
 */
public record ProjectionStatus(String name, ProjectionState state, long position, long headPosition,
                               long positionsBehind, Duration timeBehind, Optional<String> lastError,
                               Instant updatedAt) {
    public ProjectionStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(timeBehind, "timeBehind");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (position < 0 || headPosition < 0 || positionsBehind < 0) {
            throw new IllegalArgumentException("positions must be 0 or more: position " + position + ", head "
                    + headPosition + ", behind " + positionsBehind);
        }
        if (timeBehind.isNegative()) {
            throw new IllegalArgumentException("time behind must not be negative, got " + timeBehind);
        }
    }

    /** Whether the runner has handled everything it has seen and follows live appends. */
    public boolean isCaughtUp() {
        return state == ProjectionState.CAUGHT_UP;
    }
}
