package dev.relato.snapshot;

import dev.relato.StreamId;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A {@link SnapshotStore} in a map: for tests and the in-memory event store. Thread-safe. */
public final class InMemorySnapshotStore implements SnapshotStore {
    private final ConcurrentMap<StreamId, Snapshot> snapshots = new ConcurrentHashMap<>();

    /** An empty store. */
    public InMemorySnapshotStore() {
    }

    @Override
    public Optional<Snapshot> load(StreamId stream) {
        return Optional.ofNullable(snapshots.get(stream));
    }

    @Override
    public void save(Snapshot snapshot) {
        snapshots.merge(snapshot.stream(), snapshot, (old, neu) -> neu.version() >= old.version() ? neu : old);
    }

    @Override
    public void delete(StreamId stream) {
        snapshots.remove(stream);
    }
}
