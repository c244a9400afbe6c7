/**
 * Snapshots: an aggregate's state saved at a stream version ({@link dev.relato.snapshot.Snapshot}), so that a
 * load replays only the events after it. A {@link dev.relato.snapshot.SnapshotStore} keeps the latest one per
 * stream; each store module offers one beside its event store, and
 * {@link dev.relato.snapshot.InMemorySnapshotStore} serves tests. Snapshots are a cache: losing one costs a
 * longer replay, never correctness.
 */
@NullMarked
package dev.relato.snapshot;

import org.jspecify.annotations.NullMarked;
