package dev.relato.snapshot;

import dev.relato.StreamId;
import java.util.Optional;

/**
 * Keeps the latest snapshot of each stream. Implementations are thread-safe. Snapshots are a cache: losing
 * one costs a longer replay, never correctness, so a failed save may be logged and ignored by callers.
 */
public interface SnapshotStore {

    /** The latest snapshot of the stream, if any. */
    Optional<Snapshot> load(StreamId stream);

    /**
     * Stores the snapshot unless one at a higher version is already stored (concurrent savers keep the
     * newest).
     */
    void save(Snapshot snapshot);

    /** Removes the stream's snapshot, if any. */
    void delete(StreamId stream);
}
