package dev.relato.projection;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of a {@link ProjectionRunner}'s progress, for health checks and dashboards. Immutable and
 * thread-safe; equal when every value is.
 */
public final class ProjectionStatus {
    private final String name;
    private final ProjectionState state;
    private final long position;
    private final long headPosition;
    private final long positionsBehind;
    private final Duration timeBehind;
    private final String lastError;
    private final Instant updatedAt;

    /**
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
     * @throws IllegalArgumentException if a position or the time behind is negative
     */
    public ProjectionStatus(String name, ProjectionState state, long position, long headPosition, long positionsBehind,
                            Duration timeBehind, Optional<String> lastError, Instant updatedAt) {
        this.name = Objects.requireNonNull(name, "name");
        this.state = Objects.requireNonNull(state, "state");
        this.timeBehind = Objects.requireNonNull(timeBehind, "timeBehind");
        this.lastError = Objects.requireNonNull(lastError, "lastError").orElse(null);
        this.updatedAt = Objects.requireNonNull(updatedAt, "updatedAt");
        if (position < 0 || headPosition < 0 || positionsBehind < 0) {
            throw new IllegalArgumentException("positions must be 0 or more: position " + position + ", head "
                    + headPosition + ", behind " + positionsBehind);
        }
        if (timeBehind.isNegative()) {
            throw new IllegalArgumentException("time behind must not be negative, got " + timeBehind);
        }
        this.position = position;
        this.headPosition = headPosition;
        this.positionsBehind = positionsBehind;
    }

    /** The checkpoint (and lease) name the runner works under. */
    public String name() {
        return name;
    }

    /** What the runner is doing. */
    public ProjectionState state() {
        return state;
    }

    /** Every event up to this global position has been handled (or does not concern the projection). */
    public long position() {
        return position;
    }

    /** The head of the log when the runner last looked. */
    public long headPosition() {
        return headPosition;
    }

    /** {@code headPosition - position}: a distance in the log, not a number of events. */
    public long positionsBehind() {
        return positionsBehind;
    }

    /** How old the oldest event not yet handled is ({@link Duration#ZERO} when caught up). */
    public Duration timeBehind() {
        return timeBehind;
    }

    /** The last failure (type and message), if any, kept until an event is handled again. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** When this status was taken. */
    public Instant updatedAt() {
        return updatedAt;
    }

    /** Whether the runner has handled everything it has seen and follows live appends. */
    public boolean isCaughtUp() {
        return state == ProjectionState.CAUGHT_UP;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProjectionStatus s && name.equals(s.name) && state == s.state && position == s.position
                && headPosition == s.headPosition && positionsBehind == s.positionsBehind
                && timeBehind.equals(s.timeBehind) && Objects.equals(lastError, s.lastError)
                && updatedAt.equals(s.updatedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, state, position, headPosition, positionsBehind, timeBehind, lastError, updatedAt);
    }

    @Override
    public String toString() {
        return "ProjectionStatus[name=" + name + ", state=" + state + ", position=" + position + ", headPosition="
                + headPosition + ", positionsBehind=" + positionsBehind + ", timeBehind=" + timeBehind
                + (lastError == null ? "" : ", lastError=" + lastError) + ", updatedAt=" + updatedAt + "]";
    }
}
