package dev.relato.aggregate;

import dev.relato.AppendResult;
import dev.relato.EventDecodingException;
import dev.relato.EventStore;
import dev.relato.Metadata;
import dev.relato.RetryPolicy;
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
 * there first ({@link WrongExpectedVersionException}) it reloads and decides again after a jittered backoff,
 * under the builder's {@link RetryPolicy} (6 attempts in all by default), then rethrows. An exception thrown by
 * the decider is not retried and reaches the caller unchanged. Events that cannot be decoded fail the load with
 * {@link EventDecodingException}; store failures surface as {@link StoreUnavailableException} or
 * {@link dev.relato.StoreFailureException}. A snapshot taken by policy that cannot be read or saved is logged
 * and skipped, never failing a command; {@link #snapshotNow} and {@link #loadWithoutSnapshot} act per call.
 *
 * <p>{@link #using(EventStore)} gives the same repository working in the caller's transaction, through a store
 * view bound to it (such as {@code SqliteEventStore.boundTo(transaction)}): loads, decisions and appends then
 * commit or roll back with the caller's own writes.
 *
 * <p>Thread-safe: one instance serves every thread, as long as the decider is thread-safe. Within one repository
 * instance, {@link #handle} and {@link #loadOrCreate} run one at a time per aggregate: each attempt (load, decide,
 * append) holds a lock of that aggregate id, which the commands of other threads on the same aggregate wait for,
 * and which is released when the attempt returns or throws (a decider's exception included) and during the
 * backoff before a retry. Commands on different aggregates do not wait for each other, and a lock lives only while
 * it is held or waited for. So the commands of one process on a hot aggregate do not conflict with each other;
 * optimistic concurrency (the expected version, and the retries above) still decides between processes, and
 * between repository instances, which do not share locks. {@link #create} and {@link #save} take no lock, nor does a
 * repository from {@link #using(EventStore)}, whose appends commit only with the caller's transaction. A decider
 * that handles a command on another aggregate of the same repository from inside {@code decide} holds both locks,
 * so two such commands crossing in opposite directions would wait for each other: send the second command after
 * the first returns.
 *
 * @param <C> command type
 * @param <E> event type
 * @param <S> state type
 */
public final class DeciderRepository<C, E, S> {
    private final Decider<C, E, S> decider;
    private final EventSourcedRepository<S, E> core;

    private DeciderRepository(Decider<C, E, S> decider, EventSourcedRepository<S, E> core) {
        this.decider = decider;
        this.core = core;
    }

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
        core.checkSnapshots(decider::initialState);
    }

    /**
     * This repository working through {@code transactionalView}, a store bound to the caller's transaction (such as
     * {@code SqliteEventStore.boundTo(transaction)}): its loads and appends run in that transaction and commit or
     * roll back with it. The returned repository does not retry: a {@link WrongExpectedVersionException}
     * reaches the caller, who rolls back and runs the transaction again. Snapshots are read as configured but not
     * saved by policy (the snapshot store is not part of the transaction). Use it for the transaction only.
     */
    public DeciderRepository<C, E, S> using(EventStore transactionalView) {
        return new DeciderRepository<>(decider, core.boundTo(transactionalView));
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

    /** The current state from the stream's events alone, ignoring snapshots; empty if the stream does not exist. */
    public Optional<Aggregate<S>> loadWithoutSnapshot(String id) {
        return core.loadWithoutSnapshot(id);
    }

    /**
     * Saves a snapshot of aggregate {@code id}'s current state now, whatever the snapshot policy.
     *
     * @return the version snapshotted
     * @throws IllegalStateException      if the repository takes no snapshots
     * @throws AggregateNotFoundException if the stream does not exist
     */
    public long snapshotNow(String id) {
        return core.snapshotNow(id);
    }

    /** {@link #loadOrCreate(String, Object, Metadata)} with no metadata. */
    public Aggregate<S> loadOrCreate(String id, C creation) {
        return loadOrCreate(id, creation, Metadata.empty());
    }

    /**
     * Aggregate {@code id} as stored; if its stream does not exist, decides on {@code creation} against the
     * initial state and appends the events as a new stream. If another writer creates the stream meanwhile, loads
     * theirs (after a backoff, under the retry policy). If the creation decides nothing, nothing is stored and the
     * initial state is returned at version 0.
     *
     * @return the aggregate, loaded or created
     */
    public Aggregate<S> loadOrCreate(String id, C creation, Metadata metadata) {
        Objects.requireNonNull(creation, "creation command must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null");
        return core.retrying(core.stream(id), () -> core.load(id).orElseGet(() -> {
            CommandResult<S, E> created = decideAndAppend(core.initial(id), creation, metadata);
            return new Aggregate<>(created.stream(), created.version(), created.state());
        }));
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
     * @throws WrongExpectedVersionException if the stream already exists, whatever the decider decided
     */
    public CommandResult<S, E> create(String id, C command, Metadata metadata) {
        Objects.requireNonNull(command, "command must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null");
        CommandResult<S, E> result = decideAndAppend(core.initial(id), command, metadata);
        if (result.events().isEmpty()) {
            core.requireNoStream(result.stream());
        }
        return result;
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
         * How a command is retried from a fresh load after a concurrent write: jittered exponential backoff with a
         * ceiling on attempts and time. Default: 6 attempts in all, retries 1 to 2 ms apart at first, doubling up to
         * 200 ms, for at most 10 seconds. {@link RetryPolicy#none()} for no retry.
         */
        public Builder<C, E, S> retry(RetryPolicy policy) {
            settings.retry(policy);
            return this;
        }

        /**
         * The retry policy with another number of retries ({@code retries + 1} attempts in all); 0 for no retry.
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

        /**
         * @throws IllegalStateException if snapshots are configured and the serializer's codec cannot write the
         *                               decider's initial state and read it back as the snapshot class; the message
         *                               names the field and the fix
         */
        public DeciderRepository<C, E, S> build() {
            return new DeciderRepository<>(this);
        }
    }
}
