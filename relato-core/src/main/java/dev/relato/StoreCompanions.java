package dev.relato;

import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.ProjectionLeases;
import dev.relato.snapshot.SnapshotStore;

/**
 * The stores that live beside an event store, in the same backend: snapshots, projection checkpoints, dead
 * letters and projection leases. Every Relato store offers them under the same names (the in-memory, SQLite,
 * PostgreSQL and NATS stores implement this interface), so code that wires repositories and projection runners
 * does not depend on the backend:
 *
 * <pre>{@code
 * var runner = ProjectionRunner.builder(projection, store, serializer)
 *         .context(readModel, store.checkpoints())
 *         .deadLetters(store.deadLetters())
 *         .leases(store.leases("node-1"), Duration.ofSeconds(10))
 *         .build();
 * }</pre>
 *
 * <p>What one companion writes, the same companion obtained again from the same store reads: the companions
 * keep their data where the events are (the same file, schema or cluster, or the same memory). They are usable
 * while their event store is open. Implementations are thread-safe; each companion states how it fails.
 */
public interface StoreCompanions {

    /** The snapshot store beside the events. */
    SnapshotStore snapshots();

    /** The checkpoint store of asynchronous projections beside the events. */
    CheckpointStore checkpoints();

    /** The dead-letter store of asynchronous projections beside the events. */
    DeadLetterStore deadLetters();

    /**
     * Projection leases as node {@code nodeId} holds them, shared with every other node of the same backend.
     *
     * @param nodeId this node's id, unique among the nodes (for example host name and process id), 1 to 200
     *               characters
     * @throws InvalidInputException if the node id is blank, too long or has a control character
     */
    ProjectionLeases leases(String nodeId);
}
