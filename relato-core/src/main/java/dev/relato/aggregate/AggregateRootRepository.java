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
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Loads and saves {@link AggregateRoot}s: each root is the stream {@code category-id}, rebuilt by applying
 * its events to a fresh instance from the factory.
 *
 * <pre>{@code
 * AggregateRootRepository<Order, OrderEvent> orders = AggregateRootRepository
 *         .builder(store, serializer, "Order", OrderEvent.class, Order.class, Order::new)
 *         .build();
 * orders.create("o-1", order -> order.place("alice"));
 * orders.update("o-1", Order::confirm);
 * }</pre>
 *
 * <p>{@link #save} appends a root's uncommitted events expecting the version it was loaded at.
 * {@link #update} loads, runs the action, saves, and on {@link WrongExpectedVersionException} runs the
 * action again on a freshly loaded root, up to the configured number of retries (5 by default), then
 * rethrows; the action must therefore have no effect besides raising events. Exceptions thrown by the
 * action are not retried and reach the caller unchanged, and nothing is appended. Events that cannot be
 * decoded fail a load with {@link EventDecodingException}; store failures surface as
 * {@link StoreUnavailableException}. A snapshot that cannot be read or saved is logged and skipped.
 *
 * <p>Thread-safe: one repository serves every thread; each call works on its own root instance.
 *
 * @param <R> root type
 * @param <E> event type
 */
public final class AggregateRootRepository<R extends AggregateRoot<E>, E> {
    private final Supplier<R> factory;
    private final EventSourcedRepository<R, E> core;

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
    }

    /**
     * @param category  the roots' stream category, such as {@code Order}
     * @param eventType the roots' event type (usually a sealed interface)
     * @param rootType  the root class, to read snapshots as
     * @param factory   makes an empty root, with no events applied
     */
    public static <R extends AggregateRoot<E>, E> Builder<R, E> builder(EventStore store, EventSerializer serializer,
                                                                       String category, Class<E> eventType,
                                                                       Class<R> rootType, Supplier<R> factory) {
        return new Builder<>(store, serializer, category, eventType, rootType, factory);
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
     * Runs {@code action} on a new root {@code id} and saves its events as a new stream, without retrying.
     *
     * @return the saved root
     * @throws WrongExpectedVersionException if the stream already exists
     */
    public R create(String id, Consumer<? super R> action, Metadata metadata) {
        Objects.requireNonNull(action, "action must not be null");
        R root = fresh(id);
        action.accept(root);
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
        private final Class<R> rootType;
        private final Supplier<R> factory;

        private Builder(EventStore store, EventSerializer serializer, String category, Class<E> eventType,
                        Class<R> rootType, Supplier<R> factory) {
            this.settings = new RepositorySettings<>(store, serializer, category);
            this.eventType = Objects.requireNonNull(eventType, "event type must not be null");
            this.rootType = Objects.requireNonNull(rootType, "root type must not be null");
            this.factory = Objects.requireNonNull(factory, "root factory must not be null");
        }

        /**
         * How many times {@link AggregateRootRepository#update} is retried from a fresh load after a concurrent write; 5 by default,
         * 0 for no retry.
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
            settings.snapshots(store, policy, schemaVersion, rootType);
            return this;
        }

        public AggregateRootRepository<R, E> build() {
            return new AggregateRootRepository<>(this);
        }
    }
}
