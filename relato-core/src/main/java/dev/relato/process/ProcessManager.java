package dev.relato.process;

import dev.relato.StreamId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A workflow across aggregates, in the decider style: the events that start an instance, how each event it
 * follows finds its instance (a key taken from the event, such as the order id a payment event carries), and one
 * pure function that reacts to an input (an event, a {@link DeadlineFired} or a {@link CommandRejected}) with a
 * new state and effects ({@link Reaction}).
 *
 * <pre>{@code
 * ProcessManager<Fulfilment> fulfilment = ProcessManager.named("Fulfilment", Fulfilment.class, Fulfilment.NEW)
 *         .startedBy(OrderConfirmed.class, OrderConfirmed::orderId)
 *         .on(PaymentReceived.class, PaymentReceived::orderId)
 *         .reacting(Fulfilment::react)
 *         .build();
 * }</pre>
 *
 * <p>The reaction must be deterministic (the same state and input give the same reaction): after a crash the
 * engine decides again on an input whose step was recorded, to carry out its effects. Immutable and
 * thread-safe if the reaction is.
 *
 * @param <S> the process state, written to its stream as JSON by the serializer's codec
 */
public final class ProcessManager<S> {
    private final String name;
    private final Class<S> stateClass;
    private final S initialState;
    private final Map<Class<?>, Function<Object, String>> starters;
    private final Map<Class<?>, Function<Object, String>> followers;
    private final BiFunction<S, Object, Reaction<S>> reaction;

    private ProcessManager(Builder<S> builder) {
        this.name = builder.name;
        this.stateClass = builder.stateClass;
        this.initialState = builder.initialState;
        this.starters = Map.copyOf(builder.starters);
        this.followers = Map.copyOf(builder.followers);
        this.reaction = Objects.requireNonNull(builder.reaction, "a process manager needs reacting(...)");
    }

    /**
     * @param name         the process manager's name: the category of its instances' streams, the name of its
     *                     checkpoint and the process of its deadlines
     * @param stateClass   the class its state is read back as
     * @param initialState the state of an instance before its first input
     */
    public static <S> Builder<S> named(String name, Class<S> stateClass, S initialState) {
        return new Builder<>(name, stateClass, initialState);
    }

    public String name() {
        return name;
    }

    public Class<S> stateClass() {
        return stateClass;
    }

    public S initialState() {
        return initialState;
    }

    /** The stream recording the steps of instance {@code instance}. */
    public StreamId stream(String instance) {
        return StreamId.of(name, instance);
    }

    /** Every event class this process manager follows, starters included. */
    public Set<Class<?>> eventClasses() {
        Map<Class<?>, Function<Object, String>> all = new LinkedHashMap<>(starters);
        all.putAll(followers);
        return all.keySet();
    }

    /** Whether {@code event} starts an instance. */
    public boolean starts(Object event) {
        return key(starters, event).isPresent();
    }

    /** The instance {@code event} belongs to, or empty if this process manager does not follow it. */
    public Optional<String> instanceOf(Object event) {
        Optional<String> started = key(starters, event);
        return started.isPresent() ? started : key(followers, event);
    }

    /** Reacts to {@code input} in {@code state}: the pure decision, for the engine and for tests. */
    public Reaction<S> react(S state, Object input) {
        return Objects.requireNonNull(reaction.apply(state, input), "the reaction must not be null");
    }

    private static Optional<String> key(Map<Class<?>, Function<Object, String>> keys, Object event) {
        for (Map.Entry<Class<?>, Function<Object, String>> entry : keys.entrySet()) {
            if (entry.getKey().isInstance(event)) {
                return Optional.of(Objects.requireNonNull(entry.getValue().apply(event),
                        () -> "the instance key of " + event + " is null"));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "ProcessManager[" + name + "]";
    }

    /** Configures a {@link ProcessManager}. Not thread-safe: use it from one thread, then {@link #build()}. */
    public static final class Builder<S> {
        private final String name;
        private final Class<S> stateClass;
        private final S initialState;
        private final Map<Class<?>, Function<Object, String>> starters = new LinkedHashMap<>();
        private final Map<Class<?>, Function<Object, String>> followers = new LinkedHashMap<>();
        private BiFunction<S, Object, Reaction<S>> reaction;

        private Builder(String name, Class<S> stateClass, S initialState) {
            this.name = StreamId.validateCategory(name);
            this.stateClass = Objects.requireNonNull(stateClass, "state class must not be null");
            this.initialState = Objects.requireNonNull(initialState, "initial state must not be null");
        }

        /** Events of {@code type} start an instance, the one {@code instance} takes from the event. */
        public <E> Builder<S> startedBy(Class<E> type, Function<? super E, String> instance) {
            return add(starters, type, instance);
        }

        /** Events of {@code type} go to the running instance {@code instance} takes from them; ignored if none. */
        public <E> Builder<S> on(Class<E> type, Function<? super E, String> instance) {
            return add(followers, type, instance);
        }

        /** The reaction to every input: events, {@link DeadlineFired} and {@link CommandRejected}. */
        public Builder<S> reacting(BiFunction<S, Object, Reaction<S>> react) {
            this.reaction = Objects.requireNonNull(react, "reaction must not be null");
            return this;
        }

        /** @throws IllegalStateException if no event starts an instance */
        public ProcessManager<S> build() {
            if (starters.isEmpty()) {
                throw new IllegalStateException("process manager '" + name + "' needs an event that starts it");
            }
            return new ProcessManager<>(this);
        }

        private <E> Builder<S> add(Map<Class<?>, Function<Object, String>> keys, Class<E> type,
                                   Function<? super E, String> instance) {
            Objects.requireNonNull(type, "event type must not be null");
            Objects.requireNonNull(instance, "instance function must not be null");
            if (starters.containsKey(type) || followers.containsKey(type)) {
                throw new IllegalArgumentException(type.getName() + " is already followed by '" + name + "'");
            }
            keys.put(type, event -> instance.apply(type.cast(event)));
            return this;
        }
    }
}
