package dev.relato.aggregate;

import dev.relato.AppendResult;
import dev.relato.EventDecodingException;
import dev.relato.EventStore;
import dev.relato.Metadata;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.serialization.EventSerializer;
import dev.relato.snapshot.SnapshotStore;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs a {@link Decider} against an {@link EventStore}: each aggregate is the stream
 * {@code category-id}, its state the fold of its events.
 *
 * <pre>{@code
 * DeciderRepository<OrderCommand, OrderEvent, OrderState> orders = DeciderRepository
 *         .builder(store, serializer, "Order", OrderEvent.class, new OrderDecider())
 *         .snapshots(snapshotStore, SnapshotPolicy.everyEvents(100), 1, OrderState.class)
 *         .build();
 * orders.handle("o-1", new ConfirmOrder("o-1"));
 * }</pre>
 *
 * <p>{@link #handle} loads, decides and appends expecting the version it loaded; when another writer got
 * there first ({@link WrongExpectedVersionException}) it reloads and decides again, up to the configured
 * number of retries (5 by default), then rethrows. An exception thrown by the decider is not retried and
 * reaches the caller unchanged. Events that cannot be decoded fail the load with
 * {@link EventDecodingException}; store failures surface as {@link StoreUnavailableException}. A snapshot
 * that cannot be read or saved is logged and skipped, never failing a command.
 *
 * <p>Thread-safe: one instance serves every thread, as long as the decider is thread-safe.
 *
 * @param <C> command type
 * @param <E> event type
 * @param <S> state type
 */
public final class DeciderRepository<C, E, S> {
    private final Decider<C, E, S> decider;
    private final EventSourcedRepository<S, E> core;

    private DeciderRepository(Builder<C, E, S> builder) {
        this.decider = builder.decider;
        this.core = new EventSourcedRepository<>(builder.settings, builder.eventType, new AggregateModel<>() {
            @Override
            public S initialState(String id) {
                return decider.initialState();
            }

            @Override
            public S evolve(S state, E event) {
                return decider.evolve(state, event);
            }

            @Override
            public S restored(String id, long version, S state) {
                return state;
            }
        });
    }

    /**
     * @param category  the aggregates' stream category, such as {@code Order}
     * @param eventType the decider's event type (usually a sealed interface); a stored event of another
     *                  type fails loading with {@link EventDecodingException}
     */
    public static <C, E, S> Builder<C, E, S> builder(EventStore store, EventSerializer serializer, String category,
                                                     Class<E> eventType, Decider<C, E, S> decider) {
        return new Builder<>(store, serializer, category, eventType, decider);
    }

    /** The current state of aggregate {@code id}, or empty if its stream does not exist. */
    public Optional<Aggregate<S>> load(String id) {
        return core.load(id);
    }

    /**
     * The state after at most {@code version} events: the aggregate as it was at that version (or its
     * current state if it has fewer events); empty if the stream does not exist.
     *
     * @throws IllegalArgumentException if {@code version} is less than 1
     */
    public Optional<Aggregate<S>> load(String id, long version) {
        return core.loadUpTo(id, version);
    }

    /** The aggregate as it stood at {@code instant}: only events recorded then or before; empty if none. */
    public Optional<Aggregate<S>> loadAsOf(String id, Instant instant) {
        return core.loadAsOf(id, instant);
    }

    /** {@link #handle(String, Object, Metadata)} with no metadata. */
    public CommandResult<S, E> handle(String id, C command) {
        return handle(id, command, Metadata.empty());
    }

    /**
     * Loads aggregate {@code id} (its initial state if it has no stream yet), decides on {@code command}
     * and appends the events, each with {@code metadata}; retries from a fresh load on a concurrent write.
     *
     * @throws WrongExpectedVersionException if the stream still moved under every retry
     */
    public CommandResult<S, E> handle(String id, C command, Metadata metadata) {
        Objects.requireNonNull(command, "command must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null");
        return core.retrying(core.stream(id), () -> decideAndAppend(core.loadOrInitial(id), command, metadata));
    }

    /** {@link #create(String, Object, Metadata)} with no metadata. */
    public CommandResult<S, E> create(String id, C command) {
        return create(id, command, Metadata.empty());
    }

    /**
     * Decides on {@code command} against the initial state and appends the events as a new stream, without
     * retrying. If the decider produces no events nothing is appended.
     *
     * @throws WrongExpectedVersionException if the stream already exists
     */
    public CommandResult<S, E> create(String id, C command, Metadata metadata) {
        Objects.requireNonNull(command, "command must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null");
        return decideAndAppend(new Aggregate<>(core.stream(id), 0, decider.initialState()), command, metadata);
    }

    /** {@link #save(Aggregate, List, Metadata)} with no metadata. */
    public CommandResult<S, E> save(Aggregate<S> loaded, List<? extends E> events) {
        return save(loaded, events, Metadata.empty());
    }

    /**
     * Appends events decided elsewhere on a loaded state, each with {@code metadata}, expecting the stream
     * still at the loaded version (a state at version 0 expects no stream). Does not retry. Appends nothing
     * if {@code events} is empty.
     *
     * @return the events, and the state and version after them
     * @throws WrongExpectedVersionException if the stream moved since {@code loaded} was read
     * @throws IllegalArgumentException      if {@code loaded} is of another category's stream
     */
    public CommandResult<S, E> save(Aggregate<S> loaded, List<? extends E> events, Metadata metadata) {
        Objects.requireNonNull(loaded, "loaded state must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null");
        List<E> appended = List.copyOf(events);
        if (appended.isEmpty()) {
            return new CommandResult<>(loaded.stream(), appended, loaded.state(), loaded.version());
        }
        S state = loaded.state();
        for (E event : appended) {
            state = decider.evolve(state, event);
        }
        AppendResult result = core.append(loaded, appended, state, metadata);
        return new CommandResult<>(loaded.stream(), appended, state, result.lastVersion());
    }

    private CommandResult<S, E> decideAndAppend(Aggregate<S> current, C command, Metadata metadata) {
        return save(current, decider.decide(command, current.state()), metadata);
    }

    /** The stream of aggregate {@code id}. */
    public StreamId stream(String id) {
        return core.stream(id);
    }

    /**
     * Configures a {@link DeciderRepository}. Not thread-safe: use it from one thread, then {@link #build()}.
     */
    public static final class Builder<C, E, S> {
        private final RepositorySettings<S> settings;
        private final Class<E> eventType;
        private final Decider<C, E, S> decider;

        private Builder(EventStore store, EventSerializer serializer, String category, Class<E> eventType,
                        Decider<C, E, S> decider) {
            this.settings = new RepositorySettings<>(store, serializer, category);
            this.eventType = Objects.requireNonNull(eventType, "event type must not be null");
            this.decider = Objects.requireNonNull(decider, "decider must not be null");
        }

        /**
         * How many times a command is retried from a fresh load after a concurrent write; 5 by default, 0 for
         * no retry.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder<C, E, S> maxRetries(int retries) {
            settings.maxRetries(retries);
            return this;
        }

        /**
         * Takes snapshots of the state, written with the serializer's codec.
         *
         * @param schemaVersion the version of the state's shape: raise it when the state class changes, and
         *                      older snapshots are ignored (and replaced at the next snapshot)
         * @param stateClass    the class to read snapshots as
         * @throws IllegalArgumentException if {@code schemaVersion} is less than 1
         */
        public Builder<C, E, S> snapshots(SnapshotStore store, SnapshotPolicy policy, int schemaVersion,
                                          Class<? extends S> stateClass) {
            settings.snapshots(store, policy, schemaVersion, stateClass);
            return this;
        }

        public DeciderRepository<C, E, S> build() {
            return new DeciderRepository<>(this);
        }
    }
}
