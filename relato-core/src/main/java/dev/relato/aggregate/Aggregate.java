package dev.relato.aggregate;

import dev.relato.StreamId;
import java.util.Objects;

/**
 * An aggregate's state as loaded from its stream, with the version it reflects: the version to expect
 * when appending the next events. Immutable and thread-safe if the state is.
 *
 * @param stream  the aggregate's stream
 * @param version the stream version of the last event folded into the state, 1 or more
 * @param state   the state
 * @param <S>     state type
 */
public record Aggregate<S>(StreamId stream, long version, S state) {
    public Aggregate {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(state, "state");
        if (version < 0) {
            throw new IllegalArgumentException("version must be 0 or more, got " + version);
        }
    }
}
