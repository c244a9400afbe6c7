package dev.relato.projection;

import dev.relato.RelatoException;
import dev.relato.StoreUnavailableException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ProjectionRunner}'s hold on the lease of its name, on the runner's thread: takes it, renews it when a
 * third of its duration has passed, and fences every commit against a lost lease. Without leases it always holds.
 *
 * <p>The lease is known to last until {@code duration} after the start of the call that last took or renewed it,
 * by this process's monotonic clock: never later than the lease store's own expiry. Inside a batch, whose
 * transaction may hold the lease's row (a fenced SQL commit), it is never renewed unless the transactions commit
 * non-atomically ({@link ProjectionTransactions#commitsAtomically()}); instead a batch is cut short when less than
 * a third of the lease is left, and refused at commit if none is. Not thread-safe: the runner's thread owns it.
 */
final class LeaseKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    /** Whether the runner holds the lease, as of a call to {@link #ensure()}. */
    enum Standing {
        /** Held, as before. */
        HELD,
        /** Held now and not before: the runner must reload its checkpoint. */
        GAINED,
        /** Another node holds it. */
        NOT_HELD
    }

    /**
     * The lease would run out before the batch in progress commits: the batch is given up (rolled back) and a
     * shorter one tried, after renewing the lease outside the batch.
     */
    static final class RunningOut extends RelatoException {
        RunningOut(String message) {
            super(message);
        }
    }

    private final ProjectionLeases leases;
    private final String name;
    private final long durationNanos;
    private final boolean renewInsideBatches;
    private boolean held;
    private long renewedAt;

    /**
     * @param leases             null for a runner without leases
     * @param renewInsideBatches whether the lease may be renewed inside a batch's work (non-atomic commits)
     */
    LeaseKeeper(ProjectionLeases leases, String name, Duration duration, boolean renewInsideBatches) {
        this.leases = leases;
        this.name = name;
        this.durationNanos = duration.toNanos();
        this.renewInsideBatches = renewInsideBatches;
    }

    boolean enabled() {
        return leases != null;
    }

    /** Whether the runner holds the lease, as far as it knows; always without leases. */
    boolean isHeld() {
        return leases == null || held;
    }

    /**
     * Takes the lease, or renews it if a third of its duration has passed.
     *
     * @throws StoreUnavailableException if the lease store is unavailable; the lease then counts as not held
     */
    Standing ensure() {
        if (leases == null || (held && !renewalDue())) {
            return Standing.HELD;
        }
        boolean before = held;
        renew();
        if (held && !before) {
            LOG.info("projection '{}': node '{}' holds the lease", name, leases.nodeId());
            return Standing.GAINED;
        }
        return held ? Standing.HELD : Standing.NOT_HELD;
    }

    /**
     * Called between two events of a batch: renews the lease if it is due and allowed inside a batch, or cuts the
     * batch short if less than a third of the lease is left.
     *
     * @throws ProjectionOwnershipException if a renewal found the lease taken
     * @throws RunningOut                   if the batch must be cut short
     */
    void duringBatch() {
        if (leases == null) {
            return;
        }
        if (renewInsideBatches) {
            renewHeld();
        } else if (left() < durationNanos / 3) {
            throw new RunningOut("less than a third of the lease of '" + name + "' is left");
        }
    }

    /**
     * Called right before a commit: renews the lease where that is allowed inside a batch (which asks the lease store
     * whether it is still held); refuses the commit if the lease is lost or has run out.
     *
     * @throws ProjectionOwnershipException if the lease is taken
     * @throws RunningOut                   if the lease ran out during the batch, which may not renew it
     */
    void beforeCommit() {
        if (leases == null) {
            return;
        }
        if (!held) {
            throw lostLease();
        }
        if (renewInsideBatches) {
            renew();
            if (!held) {
                throw lostLease();
            }
        }
        if (left() <= 0) {
            throw new RunningOut("the lease of '" + name + "' ran out before the batch could commit");
        }
    }

    /** Outside a batch (before a retry of one event): renews the lease if due, and fails if it is taken. */
    void renewIfDue() {
        if (leases != null) {
            renewHeld();
        }
    }

    /** How long until the lease should be renewed; {@code max} without leases or when that is later. */
    Duration untilRenewal(Duration max) {
        if (leases == null || !held) {
            return max;
        }
        long due = renewedAt + durationNanos / 3 - System.nanoTime();
        return Duration.ofNanos(Math.max(1_000_000, Math.min(due, max.toNanos())));
    }

    /** The runner learnt that another node owns its work (a refused commit). */
    void lost() {
        if (held) {
            LOG.warn("projection '{}': node '{}' lost the lease", name, leases.nodeId());
        }
        held = false;
    }

    /** Gives the lease up, if held; a failure is logged (the lease then expires by itself). */
    void release() {
        if (leases == null || !held) {
            return;
        }
        held = false;
        try {
            leases.release(name);
        } catch (RuntimeException e) {
            LOG.warn("projection '{}' could not release its lease; it expires by itself: {}", name, e.toString());
        }
    }

    /** The node id, for messages. */
    String nodeId() {
        return leases == null ? "" : leases.nodeId();
    }

    private void renewHeld() {
        if (!held) {
            throw lostLease();
        }
        if (renewalDue() || left() <= 0) {
            renew();
            if (!held) {
                throw lostLease();
            }
        }
    }

    private void renew() {
        long start = System.nanoTime();
        boolean now;
        try {
            now = leases.acquire(name, Duration.ofNanos(durationNanos));
        } catch (StoreUnavailableException e) {
            lost();
            throw e;
        }
        if (now) {
            renewedAt = start;
            held = true;
        } else {
            lost();
        }
    }

    private boolean renewalDue() {
        return System.nanoTime() - renewedAt >= durationNanos / 3;
    }

    private long left() {
        return renewedAt + durationNanos - System.nanoTime();
    }

    private ProjectionOwnershipException lostLease() {
        return new ProjectionOwnershipException("node '" + leases.nodeId() + "' no longer holds the lease of '" + name
                + "'");
    }
}
