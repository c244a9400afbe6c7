package dev.relato.projection;

import java.time.Duration;
import java.util.Optional;

/**
 * Time-limited ownership of named work among several nodes: a {@link ProjectionRunner} given leases handles
 * its projection (or partition) only while it holds the lease of its checkpoint name, renews it while it
 * works, and another node takes over, from the checkpoint, when a holder stops renewing. A node is the
 * holder of this object's {@link #nodeId()}; all runners of a process may share one instance.
 *
 * <p>Leases alone cannot stop a node that was paused past its lease from writing; the
 * {@link ProjectionTransactions} of a shared database therefore check the lease in the transaction that
 * saves the checkpoint ("fencing"), and refuse the commit with {@link ProjectionOwnershipException}.
 *
 * <p>Implementations are thread-safe; backend failures surface as {@link dev.relato.StoreUnavailableException}.
 */
public interface ProjectionLeases {

    /** The id under which this node holds leases. */
    String nodeId();

    /**
     * Takes the lease if it is free, expired or already this node's, and makes it last {@code duration} from now.
     *
     * @return whether this node holds the lease now
     */
    boolean acquire(String name, Duration duration);

    /** Gives the lease up if this node holds it, so another node may take it at once. */
    void release(String name);

    /** The node holding the lease now, if any (an expired lease has no holder). */
    Optional<String> owner(String name);
}
