package dev.relato.aggregate;

import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * An aggregate as three pure functions: the state before any event, the events a command produces given
 * the current state, and the state after an event. Commands, events and states are usually records and
 * sealed interfaces, and the functions touch no infrastructure, so a decider is tested with plain values
 * (see the decider fixture in relato-test) and run by {@link DeciderRepository}.
 *
 * <p>Implementations should be stateless and therefore thread-safe; a repository calls them from any
 * thread, and may call {@link #decide} again for the same command when another writer got there first.
 * To reject a command, {@link #decide} throws (an exception of the domain); the exception reaches the
 * caller unchanged and nothing is appended.
 *
 * @param <C> command type
 * @param <E> event type
 * @param <S> state type
 */
public interface Decider<C, E, S> {

    /** The state of an aggregate that has no events yet. */
    S initialState();

    /** The events that carry out {@code command} on {@code state}; an empty list if nothing changes. */
    List<E> decide(C command, S state);

    /** The state after {@code event}. Must not throw for an event this decider produced. */
    S evolve(S state, E event);

    /** A decider from three functions. */
    static <C, E, S> Decider<C, E, S> of(Supplier<S> initialState, BiFunction<C, S, List<E>> decide,
                                         BiFunction<S, E, S> evolve) {
        Objects.requireNonNull(initialState, "initialState");
        Objects.requireNonNull(decide, "decide");
        Objects.requireNonNull(evolve, "evolve");
        return new Decider<>() {
            @Override
            public S initialState() {
                return initialState.get();
            }

            @Override
            public List<E> decide(C command, S state) {
                return decide.apply(command, state);
            }

            @Override
            public S evolve(S state, E event) {
                return evolve.apply(state, event);
            }
        };
    }
}
