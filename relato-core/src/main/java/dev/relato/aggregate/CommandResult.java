package dev.relato.aggregate;

import dev.relato.StreamId;
import java.util.List;
import java.util.Objects;

/**
 * What handling a command did: the events appended (none if the decider decided nothing) and the state
 * and stream version after them. Immutable and thread-safe if the state and events are.
 *
 * @param stream  the aggregate's stream
 * @param events  the events appended, oldest first; empty if nothing changed
 * @param state   the state after the events
 * @param version the stream version after the events; 0 if the stream still does not exist
 * @param <S>     state type
 * @param <E>     event type
 */
public record CommandResult<S, E>(StreamId stream, List<E> events, S state, long version) {
    public CommandResult {
        Objects.requireNonNull(stream, "stream");
        events = List.copyOf(events);
        Objects.requireNonNull(state, "state");
    }
}
