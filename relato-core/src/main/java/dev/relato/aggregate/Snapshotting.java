package dev.relato.aggregate;

import dev.relato.snapshot.SnapshotStore;
import java.util.Objects;

/** Snapshot settings of one repository. */
record Snapshotting<S>(SnapshotStore store, SnapshotPolicy policy, int schemaVersion, Class<? extends S> stateClass) {
    Snapshotting {
        Objects.requireNonNull(store, "snapshot store must not be null");
        Objects.requireNonNull(policy, "snapshot policy must not be null");
        Objects.requireNonNull(stateClass, "snapshot state class must not be null");
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("snapshot schema versions start at 1, got " + schemaVersion);
        }
    }
}
