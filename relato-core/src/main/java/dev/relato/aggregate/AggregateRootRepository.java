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
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Loads and saves {@link AggregateRoot}s: each root is the stream {@code category-id}, rebuilt by applying
 * its events to a fresh instance from the factory.
 *
 * <pre>{@code
 * AggregateRootRepository<Order, OrderEvent> orders = AggregateRootRepository
 *         .builder(store, serializer, "Order", OrderEvent.class, Order::new)
 *         .build();
 * orders.create("o-1", order -> order.place("alice"));
 * orders.update("o-1", Order::confirm);
 * }</pre>
 *
 * <p>{@link #save} appends a root's uncommitted events expecting the version it was loaded at.
 * {@link #update} loads, runs the action, saves, and on {@link WrongExpectedVersionException} runs the
 * action again on a freshly loaded root after a jittered backoff, under the builder's {@link RetryPolicy}
 * (6 attempts in all by default), then rethrows; the action must therefore have no effect besides raising
 * events. Exceptions thrown by the action are not retried and reach the caller unchanged, and nothing is
 * appended. Events that cannot be decoded fail a load with {@link EventDecodingException}; store failures
 * surface as {@link StoreUnavailableException} or {@link dev.relato.StoreFailureException}. A snapshot taken by
 * policy that cannot be read or saved is logged and skipped; {@link #snapshotNow} and
 * {@link #loadWithoutSnapshot} act per call.
 *
 * <p>{@link #using(EventStore)} gives the same repository working in the caller's transaction, through a store
 * view bound to it (such as {@code SqliteEventStore.boundTo(transaction)}): loads and saves then commit or roll
 * back with the caller's own writes.
 *
 * <p>Thread-safe: one repository serves every thread; each call works on its own root instance. Within one
 * repository instance, {@link #update} and {@link #loadOrCreate} run one at a time per aggregate: each attempt
 * (load, action, save) holds a lock of that root's id, which the calls of other threads on the same root wait for,
 * and which is released when the attempt returns or throws (an action's exception included) and during the backoff
 * before a retry. Calls on different roots do not wait for each other, and a lock lives only while it is held or
 * waited for. So the calls of one process on a hot root do not conflict with each other; optimistic concurrency
 * (the expected version, and the retries above) still decides between processes, and between repository
 * instances, which do not share locks. {@link #create} and {@link #save} take no lock, nor does a repository from
 * {@link #using(EventStore)}, whose saves commit only with the caller's transaction. An action that updates
 * another root of the same repository holds both locks, so two such actions crossing in opposite directions
 * would wait for each other: update the second root after the first call returns.
 *
 * @param <R> root type
 * @param <E> event type
 */
public final class AggregateRootRepository<R extends AggregateRoot<E>, E> {
    /** The id a sample root gets when the builder checks that the snapshot codec can write and read roots. */
    private static final String SAMPLE_ID = "snapshot-check";

    private final Supplier<? extends R> factory;
    private final EventSourcedRepository<R, E> core;

    private AggregateRootRepository(Supplier<? extends R> factory, EventSourcedRepository<R, E> core) {
        this.factory = factory;
        this.core = core;
    }

    private AggregateRootRepository(Builder<R, E> builder) {
        this.factory = builder.factory;
        this.core = new EventSourcedRepository<>(builder.settings, builder.eventType, new AggregateModel<>() {
            @Override
            public R initialState(String id) {
                return fresh(id);
            }

            @Override
            public R evolve(R root, E event) {
                root.applyStored(event);
                return root;
            }

            @Override
            public R restored(String id, long version, R root) {
                root.restore(id, version);
                return root;
            }
        });
        core.checkSnapshots(() -> fresh(SAMPLE_ID));
    }

    /**
     * A repository of roots made by {@code factory}, such as {@code Order::new}.
     *
     * @param category  the roots' stream category, such as {@code Order}
     * @param eventType the roots' event type (usually a sealed interface)
     * @param factory   makes an empty root, with no events applied; snapshots are read as the class of the roots
     *                  it makes
     */
    public static <R extends AggregateRoot<E>, E> Builder<R, E> builder(EventStore store, EventSerializer serializer,
                                                                       String category, Class<E> eventType,
                                                                       Supplier<? extends R> factory) {
        return new Builder<>(store, serializer, category, eventType, Objects.requireNonNull(factory,
                "root factory must not be null"), null);
    }

    /**
     * A repository of roots made by {@code rootType}'s constructor without arguments (which may be private).
     *
     * @param category  the roots' stream category, such as {@code Order}
     * @param eventType the roots' event type (usually a sealed interface)
     * @param rootType  the root class: made by its no-argument constructor, and the class snapshots are read as
     * @throws IllegalArgumentException if the class has no constructor without arguments, or it cannot be called
     */
    public static <R extends AggregateRoot<E>, E> Builder<R, E> builder(EventStore store, EventSerializer serializer,
                                                                       String category, Class<E> eventType,
                                                                       Class<R> rootType) {
        return new Builder<>(store, serializer, category, eventType, RootConstructor.of(rootType), rootType);
    }

    /**
     * This repository working through {@code transactionalView}, a store bound to the caller's transaction (such as
     * {@code SqliteEventStore.boundTo(transaction)}): its loads and saves run in that transaction and commit or roll
     * back with it. The returned repository does not retry: a {@link WrongExpectedVersionException} reaches the
     * caller, who rolls back and runs the transaction again. Snapshots are read as configured but not saved by
     * policy (the snapshot store is not part of the transaction). Use it for the transaction only.
     */
    public AggregateRootRepository<R, E> using(EventStore transactionalView) {
        return new AggregateRootRepository<>(factory, core.boundTo(transactionalView));
    }

    /** Root {@code id} with all its events applied, or empty if its stream does not exist. */
    public Optional<R> load(String id) {
        return core.load(id).map(Aggregate::state);
    }

    /**
     * Root {@code id} as it was at {@code version} (or now, if it has fewer events); empty if its stream does
     * not exist. Saving such a root fails with {@link WrongExpectedVersionException} if the stream has moved on.
     *
     * @throws IllegalArgumentException if {@code version} is less than 1
     */
    public Optional<R> load(String id, long version) {
        return core.loadUpTo(id, version).map(Aggregate::state);
    }

    /** Root {@code id} as it stood at {@code instant}: only events recorded then or before; empty if none. */
    public Optional<R> loadAsOf(String id, Instant instant) {
        return core.loadAsOf(id, instant).map(Aggregate::state);
    }

    /** Root {@code id} rebuilt from its events alone, ignoring snapshots; empty if its stream does not exist. */
    public Optional<R> loadWithoutSnapshot(String id) {
        return core.loadWithoutSnapshot(id).map(Aggregate::state);
    }

    /**
     * Saves a snapshot of root {@code id} as it is now, whatever the snapshot policy.
     *
     * @return the version snapshotted
     * @throws IllegalStateException      if the repository takes no snapshots
     * @throws AggregateNotFoundException if the stream does not exist
     */
    public long snapshotNow(String id) {
        return core.snapshotNow(id);
    }

    /** {@link #loadOrCreate(String, Consumer, Metadata)} with no metadata. */
    public R loadOrCreate(String id, Consumer<? super R> creation) {
        return loadOrCreate(id, creation, Metadata.empty());
    }

    /**
     * Root {@code id} as stored; if its stream does not exist, runs {@code creation} on a new root and saves its
     * events as a new stream. If another writer creates the stream meanwhile, loads theirs (after a backoff, under
     * the retry policy). If the creation raises nothing, nothing is stored and the new root is returned at
     * version 0.
     *
     * @return the root, loaded or created
     */
    public R loadOrCreate(String id, Consumer<? super R> creation, Metadata metadata) {
        Objects.requireNonNull(creation, "creation must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null");
        return core.retrying(core.stream(id), () -> load(id).orElseGet(() -> {
            R root = fresh(id);
            creation.accept(root);
            save(root, metadata);
            return root;
        }));
    }

    /** {@link #save(AggregateRoot, Metadata)} with no metadata. */
    public long save(R root) {
        return save(root, Metadata.empty());
    }

    /**
     * Appends the root's uncommitted events, each with {@code metadata}, expecting the stream at the root's
     * version; the root then has no uncommitted events and the new version. Does nothing if there are none.
     *
     * @return the root's version after saving
     * @throws WrongExpectedVersionException if the stream moved since the root was loaded; the root is
     *                                       unchanged and should be discarded
     * @throws IllegalStateException         if the root was not loaded or created by a repository
     */
    public long save(R root, Metadata metadata) {
        Objects.requireNonNull(root, "root must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null");
        List<E> events = root.uncommittedEvents();
        if (events.isEmpty()) {
            return root.version();
        }
        AppendResult result = core.append(new Aggregate<>(core.stream(root.id()), root.version(), root), events, root,
                metadata);
        root.markCommitted(result.lastVersion());
        return root.version();
    }

    /** {@link #create(String, Consumer, Metadata)} with no metadata. */
    public R create(String id, Consumer<? super R> action) {
        return create(id, action, Metadata.empty());
    }

    /**
     * Runs {@code action} on a new root {@code id} and saves its events as a new stream, without retrying. If the
     * action raises nothing, nothing is stored.
     *
     * @return the saved root
     * @throws WrongExpectedVersionException if the stream already exists, whatever the action raised
     */
    public R create(String id, Consumer<? super R> action, Metadata metadata) {
        Objects.requireNonNull(action, "action must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null");
        R root = fresh(id);
        action.accept(root);
        if (!root.hasUncommittedEvents()) {
            core.requireNoStream(core.stream(id));
        }
        save(root, metadata);
        return root;
    }

    /** {@link #update(String, Consumer, Metadata)} with no metadata. */
    public R update(String id, Consumer<? super R> action) {
        return update(id, action, Metadata.empty());
    }

    /**
     * Loads root {@code id}, runs {@code action} on it and saves its events, retrying from a fresh load after
     * a concurrent write.
     *
     * @return the saved root
     * @throws AggregateNotFoundException    if the stream does not exist
     * @throws WrongExpectedVersionException if the stream still moved under every retry
     */
    public R update(String id, Consumer<? super R> action, Metadata metadata) {
        Objects.requireNonNull(action, "action must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null");
        StreamId stream = core.stream(id);
        return core.retrying(stream, () -> {
            R root = load(id).orElseThrow(() -> new AggregateNotFoundException(stream));
            action.accept(root);
            save(root, metadata);
            return root;
        });
    }

    /** The stream of root {@code id}. */
    public StreamId stream(String id) {
        return core.stream(id);
    }

    private R fresh(String id) {
        R root = Objects.requireNonNull(factory.get(), "the root factory returned null");
        root.rehydrate(id, List.of());
        return root;
    }

    /**
     * Configures an {@link AggregateRootRepository}. Not thread-safe: use it from one thread, then
     * {@link #build()}.
     */
    public static final class Builder<R extends AggregateRoot<E>, E> {
        private final RepositorySettings<R> settings;
        private final Class<E> eventType;
        private final Supplier<? extends R> factory;
        private final Class<? extends R> rootType;

        /** @param rootType null: the class of the roots the factory makes */
        private Builder(EventStore store, EventSerializer serializer, String category, Class<E> eventType,
                        Supplier<? extends R> factory, Class<? extends R> rootType) {
            this.settings = new RepositorySettings<>(store, serializer, category);
            this.eventType = Objects.requireNonNull(eventType, "event type must not be null");
            this.factory = factory;
            this.rootType = rootType;
        }

        /**
         * How {@link AggregateRootRepository#update} (and {@link AggregateRootRepository#loadOrCreate}) retries from
         * a fresh load after a concurrent write: jittered exponential backoff with a ceiling on attempts and time.
         * Default: 6 attempts in all, retries 1 to 2 ms apart at first, doubling up to 200 ms, for at most 10
         * seconds. {@link RetryPolicy#none()} for no retry.
         */
        public Builder<R, E> retry(RetryPolicy policy) {
            settings.retry(policy);
            return this;
        }

        /**
         * The retry policy with another number of retries ({@code retries + 1} attempts in all); 0 for no retry.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder<R, E> maxRetries(int retries) {
            settings.maxRetries(retries);
            return this;
        }

        /**
         * Takes snapshots of roots, written with the serializer's codec: the root class must be readable and
         * writable by it (see {@link AggregateRoot}).
         *
         * @param schemaVersion the version of the root's serialized shape: raise it when the fields change,
         *                      and older snapshots are ignored
         * @throws IllegalArgumentException if {@code schemaVersion} is less than 1
         */
        public Builder<R, E> snapshots(SnapshotStore store, SnapshotPolicy policy, int schemaVersion) {
            settings.snapshots(store, policy, schemaVersion, rootType != null ? rootType : sampleClass());
            return this;
        }

        @SuppressWarnings("unchecked")
        private Class<? extends R> sampleClass() {
            return (Class<? extends R>) Objects.requireNonNull(factory.get(), "the root factory returned null").getClass();
        }

        /**
         * @throws IllegalStateException if snapshots are configured and the serializer's codec cannot write a new
         *                               root and read it back as its class; the message names the field and the fix
         */
        public AggregateRootRepository<R, E> build() {
            return new AggregateRootRepository<>(this);
        }
    }
}
