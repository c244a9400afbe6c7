package dev.relato.aggregate;

import dev.relato.AppendResult;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.PayloadReads.StoredPayload;
import dev.relato.PayloadReads;
import dev.relato.RecordedEvent;
import dev.relato.RetryPolicy;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.WrongExpectedVersionException;
import dev.relato.serialization.EventSerializer;
import dev.relato.snapshot.Snapshot;
import dev.relato.spi.RetryState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one repository core under {@link DeciderRepository} and {@link AggregateRootRepository}: loads a
 * state by folding a stream (after the latest usable snapshot), appends with optimistic concurrency,
 * saves snapshots by policy or on request, and retries an attempt, with jittered backoff under a
 * {@link RetryPolicy}, when another writer got there first, each attempt holding the aggregate's
 * {@link AggregateLocks lock} of this repository. A copy {@linkplain #boundTo bound} to a store view
 * (the caller's transaction) neither retries, locks nor saves snapshots by policy. Thread-safe.
 */
final class EventSourcedRepository<S, E> {
    private static final Logger LOG = LoggerFactory.getLogger(EventSourcedRepository.class);

    private final EventStore store;
    private final EventSerializer serializer;
    private final String category;
    private final Class<E> eventType;
    private final AggregateModel<S, E> model;
    private final Snapshotting<S> snapshots;
    private final RetryPolicy retry;
    private final boolean bound;
    private final AtomicBoolean snapshotFailureLogged;
    /** Serialises this process's commands per aggregate; none when bound to the caller's transaction. */
    private final AggregateLocks locks;

    EventSourcedRepository(RepositorySettings<S> settings, Class<E> eventType, AggregateModel<S, E> model) {
        this(settings.store, settings.serializer, settings.category, Objects.requireNonNull(eventType,
                "event type must not be null"), model, settings.snapshots, settings.retry, false, new AtomicBoolean());
    }

    private EventSourcedRepository(EventStore store, EventSerializer serializer, String category, Class<E> eventType,
                                   AggregateModel<S, E> model, Snapshotting<S> snapshots, RetryPolicy retry,
                                   boolean bound, AtomicBoolean snapshotFailureLogged) {
        this.store = store;
        this.serializer = serializer;
        this.category = category;
        this.eventType = eventType;
        this.model = model;
        this.snapshots = snapshots;
        this.retry = retry;
        this.bound = bound;
        this.snapshotFailureLogged = snapshotFailureLogged;
        this.locks = bound ? null : new AggregateLocks();
    }

    /**
     * This repository working on {@code view} (a store bound to the caller's transaction): without retries, since
     * the caller owns the transaction, and without snapshots saved by policy, since the snapshot store does not
     * take part in that transaction.
     */
    EventSourcedRepository<S, E> boundTo(EventStore view) {
        return new EventSourcedRepository<>(Objects.requireNonNull(view, "store view must not be null"), serializer,
                category, eventType, model, snapshots, RetryPolicy.none(), true, snapshotFailureLogged);
    }

    /**
     * Checks, when the repository is built, that the snapshot codec writes and reads back {@code sample}.
     *
     * @throws IllegalStateException naming the field and the fix, if it does not
     */
    void checkSnapshots(Supplier<S> sample) {
        if (snapshots != null) {
            SnapshotCodecCheck.check(serializer.codec(), snapshots.stateClass(), sample.get());
        }
    }

    StreamId stream(String id) {
        return new StreamId(category, id);
    }

    /** The current state, or empty if the stream does not exist. */
    Optional<Aggregate<S>> load(String id) {
        return loadUpTo(id, Long.MAX_VALUE);
    }

    /** The state after at most {@code version} events, or empty if the stream does not exist. */
    Optional<Aggregate<S>> loadUpTo(String id, long version) {
        if (version < 1) {
            throw new IllegalArgumentException("versions start at 1, got " + version);
        }
        StreamId stream = stream(id);
        Aggregate<S> start = snapshot(stream, version).orElseGet(() -> initial(id));
        if (start.version() >= version) {
            return Optional.of(start);
        }
        return fold(start, StreamRead.forwards().from(start.version() + 1).to(version));
    }

    /** The current state from the stream's events alone, ignoring snapshots; empty if the stream does not exist. */
    Optional<Aggregate<S>> loadWithoutSnapshot(String id) {
        return fold(initial(id), StreamRead.forwards());
    }

    /** The state as the stream stood at {@code instant}, or empty if it had no events then. Ignores snapshots. */
    Optional<Aggregate<S>> loadAsOf(String id, Instant instant) {
        Objects.requireNonNull(instant, "instant must not be null");
        return fold(initial(id), StreamRead.forwards().asOf(instant));
    }

    /** The current state, or the initial state at version 0 if the stream does not exist. */
    Aggregate<S> loadOrInitial(String id) {
        return load(id).orElseGet(() -> initial(id));
    }

    /** The state of aggregate {@code id} before any event, at version 0. */
    Aggregate<S> initial(String id) {
        return new Aggregate<>(stream(id), 0, model.initialState(id));
    }

    /**
     * Appends {@code events} decided on {@code base}, expecting the stream still at its version, then saves
     * a snapshot of {@code after} if the policy asks for one.
     *
     * @throws WrongExpectedVersionException if the stream moved since {@code base} was loaded
     */
    AppendResult append(Aggregate<S> base, List<? extends E> events, S after, Metadata metadata) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("nothing to append to '" + base.stream() + "'");
        }
        if (!base.stream().category().equals(category)) {
            throw new IllegalArgumentException("'" + base.stream() + "' is not a stream of category '" + category + "'");
        }
        AppendResult result = store.append(base.stream(), ExpectedVersion.exactly(base.version()),
                serializer.serializeAll(events, metadata));
        if (snapshots != null && !bound && snapshots.policy().shouldSnapshot(base.version(), result.lastVersion())) {
            saveSnapshotQuietly(base.stream(), result.lastVersion(), after);
        }
        return result;
    }

    /**
     * Creation found nothing to append: fails if the stream exists, so that creating an existing aggregate always
     * fails, whatever the creation decided.
     *
     * @throws WrongExpectedVersionException if the stream exists
     */
    void requireNoStream(StreamId stream) {
        long version = store.streamVersion(stream);
        if (version > 0) {
            throw new WrongExpectedVersionException(stream, ExpectedVersion.noStream(), version);
        }
    }

    /**
     * Saves a snapshot of the current state of aggregate {@code id} now, whatever the policy.
     *
     * @return the version snapshotted
     * @throws IllegalStateException      if the repository takes no snapshots
     * @throws AggregateNotFoundException if the stream does not exist
     */
    long snapshotNow(String id) {
        if (snapshots == null) {
            throw new IllegalStateException("the repository of '" + category + "' takes no snapshots; configure them "
                    + "with snapshots(...) on its builder");
        }
        StreamId stream = stream(id);
        Aggregate<S> current = load(id).orElseThrow(() -> new AggregateNotFoundException(stream));
        snapshots.store().save(snapshotOf(stream, current.version(), current.state()));
        return current.version();
    }

    /**
     * Runs {@code attempt}, and again (from a fresh load, which the attempt does itself) each time it fails with
     * {@link WrongExpectedVersionException}, after a jittered backoff, until the retry policy's ceiling; then
     * rethrows. An interrupted backoff rethrows at once, with the interrupt flag set. Unless bound to the caller's
     * transaction, each attempt holds the aggregate's lock of this repository, so the attempts of this process on
     * one aggregate run one at a time; the lock is released during the backoff.
     */
    <T> T retrying(StreamId stream, Supplier<T> attempt) {
        RetryState retries = new RetryState(retry);
        while (true) {
            try {
                T done = locks == null ? attempt.get() : locks.run(stream.id(), attempt);
                store.observer().commandAttempts(category, retries.failures() + 1);
                return done;
            } catch (WrongExpectedVersionException e) {
                Optional<Duration> backoff = retries.failed();
                if (backoff.isEmpty()) {
                    store.observer().commandAttempts(category, retries.failures());
                    LOG.debug("giving up on '{}' after {} attempts: {}", stream, retries.failures(), e.getMessage());
                    throw e;
                }
                LOG.debug("concurrent write to '{}' (now at version {}); attempt {} in {}", stream, e.actualVersion(),
                        retries.failures() + 1, backoff.get());
                RetryState.pause(backoff.get(), e);
            }
        }
    }

    /**
     * Folds the events {@code read} selects onto {@code start}: from the fields a fold needs alone where the store
     * offers them ({@link PayloadReads}), from whole records otherwise.
     */
    private Optional<Aggregate<S>> fold(Aggregate<S> start, StreamRead read) {
        S state = start.state();
        long version = start.version();
        if (store instanceof PayloadReads payloads) {
            for (StoredPayload stored : payloads.readPayloads(start.stream(), read)) {
                state = model.evolve(state, decode(start.stream(), stored));
                version = stored.streamVersion();
            }
        } else {
            for (RecordedEvent record : store.read(start.stream(), read)) {
                state = model.evolve(state, serializer.decode(record, eventType).event());
                version = record.streamVersion();
            }
        }
        return version == 0 ? Optional.empty() : Optional.of(new Aggregate<>(start.stream(), version, state));
    }

    /**
     * The event as {@link EventSerializer#decode} decodes its record; the record itself is read only to name it
     * when decoding fails.
     */
    private E decode(StreamId stream, StoredPayload stored) {
        Supplier<RecordedEvent> record = () -> recordAt(stream, stored.streamVersion());
        Object event = serializer.deserialize(stored.type(), stored.schemaVersion(), stored.payload(), record);
        if (eventType.isInstance(event)) {
            return eventType.cast(event);
        }
        return serializer.decode(record.get(), eventType).event(); // throws, naming the record
    }

    private RecordedEvent recordAt(StreamId stream, long version) {
        return store.read(stream, StreamRead.forwards().from(version).to(version)).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("event " + version + " of '" + stream
                        + "' vanished while it was being loaded"));
    }

    private Optional<Aggregate<S>> snapshot(StreamId stream, long maxVersion) {
        if (snapshots == null) {
            return Optional.empty();
        }
        Optional<Aggregate<S>> usable = usableSnapshot(stream, maxVersion);
        store.observer().snapshotLoaded(category, usable.isPresent());
        return usable;
    }

    private Optional<Aggregate<S>> usableSnapshot(StreamId stream, long maxVersion) {
        Optional<Snapshot> found;
        try {
            found = snapshots.store().load(stream);
        } catch (RuntimeException e) {
            LOG.warn("cannot load the snapshot of '{}'; replaying the whole stream: {}", stream, e.toString());
            return Optional.empty();
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Snapshot snapshot = found.get();
        if (snapshot.schemaVersion() != snapshots.schemaVersion()) {
            LOG.debug("ignoring the snapshot of '{}': schema v{}, current v{}", stream, snapshot.schemaVersion(),
                    snapshots.schemaVersion());
            return Optional.empty();
        }
        if (snapshot.version() > maxVersion) {
            return Optional.empty();
        }
        try {
            S state = serializer.codec().decode(snapshot.payload(), snapshots.stateClass());
            return Optional.of(new Aggregate<>(stream, snapshot.version(),
                    model.restored(stream.id(), snapshot.version(), state)));
        } catch (RuntimeException e) {
            LOG.warn("cannot read the snapshot of '{}' at version {}; replaying the whole stream: {}", stream,
                    snapshot.version(), e.toString());
            return Optional.empty();
        }
    }

    private Snapshot snapshotOf(StreamId stream, long version, S state) {
        return new Snapshot(stream, version, snapshots.schemaVersion(), serializer.codec().encode(state), Instant.now());
    }

    /** A snapshot taken by policy: a failure is logged (with its stack trace the first time) and never fails the append. */
    private void saveSnapshotQuietly(StreamId stream, long version, S state) {
        try {
            snapshots.store().save(snapshotOf(stream, version, state));
        } catch (RuntimeException e) {
            if (snapshotFailureLogged.compareAndSet(false, true)) {
                LOG.warn("cannot save the snapshot of '{}' at version {}; the append succeeded and loading will replay"
                        + " more events", stream, version, e);
            } else {
                LOG.warn("cannot save the snapshot of '{}' at version {}: {}", stream, version, e.toString());
            }
        }
    }
}
