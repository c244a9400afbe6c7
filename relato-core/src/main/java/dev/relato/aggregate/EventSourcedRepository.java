package dev.relato.aggregate;

import dev.relato.AppendResult;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.WrongExpectedVersionException;
import dev.relato.serialization.EventSerializer;
import dev.relato.snapshot.Snapshot;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one repository core under {@link DeciderRepository} and {@link AggregateRootRepository}: loads a
 * state by folding a stream (after the latest usable snapshot), appends with optimistic concurrency,
 * saves snapshots by policy, and retries an attempt when another writer got there first. Thread-safe.
 */
final class EventSourcedRepository<S, E> {
    private static final Logger LOG = LoggerFactory.getLogger(EventSourcedRepository.class);

    private final EventStore store;
    private final EventSerializer serializer;
    private final String category;
    private final Class<E> eventType;
    private final AggregateModel<S, E> model;
    private final Optional<Snapshotting<S>> snapshots;
    private final int maxRetries;

    EventSourcedRepository(RepositorySettings<S> settings, Class<E> eventType, AggregateModel<S, E> model) {
        this.store = settings.store;
        this.serializer = settings.serializer;
        this.category = settings.category;
        this.snapshots = Optional.ofNullable(settings.snapshots);
        this.maxRetries = settings.maxRetries;
        this.eventType = Objects.requireNonNull(eventType, "event type must not be null");
        this.model = model;
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
        Aggregate<S> start = snapshot(stream, version).orElseGet(() -> new Aggregate<>(stream, 0, model.initialState(id)));
        if (start.version() >= version) {
            return Optional.of(start);
        }
        StreamRead read = StreamRead.forwards().from(start.version() + 1).to(version);
        return fold(start, read);
    }

    /** The state as the stream stood at {@code instant}, or empty if it had no events then. Ignores snapshots. */
    Optional<Aggregate<S>> loadAsOf(String id, Instant instant) {
        Objects.requireNonNull(instant, "instant must not be null");
        StreamId stream = stream(id);
        return fold(new Aggregate<>(stream, 0, model.initialState(id)), StreamRead.forwards().asOf(instant));
    }

    /** The current state, or the initial state at version 0 if the stream does not exist. */
    Aggregate<S> loadOrInitial(String id) {
        return load(id).orElseGet(() -> new Aggregate<>(stream(id), 0, model.initialState(id)));
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
        snapshots.ifPresent(s -> {
            if (s.policy().shouldSnapshot(base.version(), result.lastVersion())) {
                saveSnapshot(s, base.stream(), result.lastVersion(), after);
            }
        });
        return result;
    }

    /**
     * Runs {@code attempt}, and again (from a fresh load, which the attempt does itself) each time it fails
     * with {@link WrongExpectedVersionException}, at most {@code maxRetries} more times; then rethrows.
     */
    <T> T retrying(StreamId stream, Supplier<T> attempt) {
        for (int retry = 0; ; retry++) {
            try {
                return attempt.get();
            } catch (WrongExpectedVersionException e) {
                if (retry >= maxRetries) {
                    LOG.debug("giving up on '{}' after {} retries: {}", stream, retry, e.getMessage());
                    throw e;
                }
                LOG.debug("concurrent write to '{}' (now at version {}); retry {} of {}", stream, e.actualVersion(),
                        retry + 1, maxRetries);
            }
        }
    }

    private Optional<Aggregate<S>> fold(Aggregate<S> start, StreamRead read) {
        S state = start.state();
        long version = start.version();
        for (RecordedEvent record : store.read(start.stream(), read)) {
            state = model.evolve(state, serializer.decode(record, eventType).event());
            version = record.streamVersion();
        }
        return version == 0 ? Optional.empty() : Optional.of(new Aggregate<>(start.stream(), version, state));
    }

    private Optional<Aggregate<S>> snapshot(StreamId stream, long maxVersion) {
        if (snapshots.isEmpty()) {
            return Optional.empty();
        }
        Snapshotting<S> settings = snapshots.get();
        Optional<Snapshot> found;
        try {
            found = settings.store().load(stream);
        } catch (RuntimeException e) {
            LOG.warn("cannot load the snapshot of '{}'; replaying the whole stream", stream, e);
            return Optional.empty();
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Snapshot snapshot = found.get();
        if (snapshot.schemaVersion() != settings.schemaVersion()) {
            LOG.debug("ignoring the snapshot of '{}': schema v{}, current v{}", stream, snapshot.schemaVersion(),
                    settings.schemaVersion());
            return Optional.empty();
        }
        if (snapshot.version() > maxVersion) {
            return Optional.empty();
        }
        try {
            S state = serializer.codec().decode(snapshot.payload(), settings.stateClass());
            return Optional.of(new Aggregate<>(stream, snapshot.version(),
                    model.restored(stream.id(), snapshot.version(), state)));
        } catch (RuntimeException e) {
            LOG.warn("cannot read the snapshot of '{}' at version {}; replaying the whole stream", stream,
                    snapshot.version(), e);
            return Optional.empty();
        }
    }

    private void saveSnapshot(Snapshotting<S> settings, StreamId stream, long version, S state) {
        try {
            settings.store().save(new Snapshot(stream, version, settings.schemaVersion(),
                    serializer.codec().encode(state), Instant.now()));
        } catch (RuntimeException e) {
            LOG.warn("cannot save the snapshot of '{}' at version {}; the append succeeded and loading will replay"
                    + " more events", stream, version, e);
        }
    }
}
