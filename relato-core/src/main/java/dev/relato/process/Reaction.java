package dev.relato.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a process manager decides on one input: its new state and the effects to carry out, in order. Deadlines
 * are scheduled relative to the input's time (the event's recorded time, or the due time of a fired deadline), so
 * that deciding again on the same input decides the same. Immutable and thread-safe if the state and commands are.
 *
 * <pre>{@code
 * return Reaction.of(new AwaitingPayment(orderId))
 *         .send(new ReserveStock(sku, orderId))
 *         .schedule("payment", Duration.ofMinutes(30));
 * }</pre>
 *
 * @param <S> the process state
 */
public final class Reaction<S> {
    private final S state;
    private final List<Object> commands;
    private final Map<String, Duration> schedule;
    private final Set<String> cancel;
    private final boolean finished;

    private Reaction(S state, List<Object> commands, Map<String, Duration> schedule, Set<String> cancel,
                     boolean finished) {
        this.state = Objects.requireNonNull(state, "state must not be null");
        this.commands = List.copyOf(commands);
        this.schedule = Map.copyOf(schedule);
        this.cancel = Set.copyOf(cancel);
        this.finished = finished;
    }

    /** The new state, with no effects. */
    public static <S> Reaction<S> of(S state) {
        return new Reaction<>(state, List.of(), Map.of(), Set.of(), false);
    }

    /** This reaction, also sending {@code command} (a plain record routed by the engine's command bus). */
    public Reaction<S> send(Object command) {
        List<Object> more = new ArrayList<>(commands);
        more.add(Objects.requireNonNull(command, "command must not be null"));
        return new Reaction<>(state, more, schedule, cancel, finished);
    }

    /**
     * This reaction, also scheduling deadline {@code name} {@code after} the input's time (replacing a deadline of
     * that name).
     */
    public Reaction<S> schedule(String name, Duration after) {
        Objects.requireNonNull(name, "deadline name must not be null");
        if (after.isNegative()) {
            throw new IllegalArgumentException("a deadline cannot be due before its cause, got " + after);
        }
        Map<String, Duration> more = new LinkedHashMap<>(schedule);
        more.put(name, after);
        Set<String> fewer = new LinkedHashSet<>(cancel);
        fewer.remove(name);
        return new Reaction<>(state, commands, more, fewer, finished);
    }

    /** This reaction, also cancelling deadline {@code name} (nothing happens if it is not scheduled). */
    public Reaction<S> cancel(String name) {
        Objects.requireNonNull(name, "deadline name must not be null");
        Set<String> more = new LinkedHashSet<>(cancel);
        more.add(name);
        Map<String, Duration> fewer = new LinkedHashMap<>(schedule);
        fewer.remove(name);
        return new Reaction<>(state, commands, fewer, more, finished);
    }

    /** This reaction, also ending the process: its deadlines are cancelled and later inputs ignored. */
    public Reaction<S> finish() {
        return new Reaction<>(state, commands, schedule, cancel, true);
    }

    public S state() {
        return state;
    }

    /** The commands to send, in order. */
    public List<Object> commands() {
        return commands;
    }

    /** The deadlines to schedule, by name, each after the input's time. */
    public Map<String, Duration> scheduled() {
        return schedule;
    }

    /** The names of the deadlines to cancel. */
    public Set<String> cancelled() {
        return cancel;
    }

    public boolean finished() {
        return finished;
    }

    @Override
    public String toString() {
        return "Reaction[" + state + ", send " + commands + ", schedule " + schedule + ", cancel " + cancel
                + (finished ? ", finished" : "") + "]";
    }
}
