package dev.relato.aggregate;

import dev.relato.EventStore;
import dev.relato.StreamId;
import dev.relato.serialization.EventSerializer;
import dev.relato.snapshot.SnapshotStore;
import java.util.Objects;

/** What both repository builders collect. Not thread-safe (builder state). */
final class RepositorySettings<S> {
    static final int DEFAULT_MAX_RETRIES = 5;

    final EventStore store;
    final EventSerializer serializer;
    final String category;
    int maxRetries = DEFAULT_MAX_RETRIES;
    Snapshotting<S> snapshots;

    RepositorySettings(EventStore store, EventSerializer serializer, String category) {
        this.store = Objects.requireNonNull(store, "event store must not be null");
        this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
        this.category = StreamId.validateCategory(category);
    }

    void maxRetries(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
        }
        this.maxRetries = retries;
    }

    void snapshots(SnapshotStore snapshotStore, SnapshotPolicy policy, int schemaVersion, Class<? extends S> stateClass) {
        this.snapshots = new Snapshotting<>(snapshotStore, policy, schemaVersion, stateClass);
    }
}
