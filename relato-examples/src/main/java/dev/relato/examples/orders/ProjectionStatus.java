package dev.relato.examples.orders;

import java.util.Objects;
import java.util.Optional;

/**
 * How far a projection has got. Immutable and thread-safe.
 *
 * @param name     the projection's name
 * @param position the global position of the last event it has handled
 * @param head     the store's head position when the status was taken
 * @param state    {@code catching-up}, {@code live}, {@code failed} or {@code stopped}
 * @param failure  why it failed, if it did
 */
public record ProjectionStatus(String name, long position, long head, String state, Optional<String> failure) {
    public ProjectionStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(failure, "failure");
    }

    /** How many positions the projection is behind the head; 0 when it is up to date. */
    public long lag() {
        return Math.max(0, head - position);
    }
}
