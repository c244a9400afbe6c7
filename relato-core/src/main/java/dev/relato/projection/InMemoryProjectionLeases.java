package dev.relato.projection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@link ProjectionLeases} of several runners in one process, for tests and single-process deployments
 * that want one active runner per name. Create one table with {@link #table(Clock)} and a view of it per
 * node with {@link Table#node(String)}. Thread-safe.
 */
public final class InMemoryProjectionLeases implements ProjectionLeases {
    private final Table table;
    private final String nodeId;

    private InMemoryProjectionLeases(Table table, String nodeId) {
        this.table = table;
        this.nodeId = nodeId;
    }

    /** A fresh, empty lease table using {@code clock} for expiry. */
    public static Table table(Clock clock) {
        return new Table(Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public boolean acquire(String name, Duration duration) {
        CheckpointStore.validateName(name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("lease duration must be positive, got " + duration);
        }
        Instant now = table.clock.instant();
        Lease lease = table.leases.compute(name, (n, current) ->
                current == null || current.owner.equals(nodeId) || !current.expiresAt.isAfter(now)
                        ? new Lease(nodeId, now.plus(duration)) : current);
        return lease.owner.equals(nodeId);
    }

    @Override
    public void release(String name) {
        table.leases.computeIfPresent(CheckpointStore.validateName(name),
                (n, current) -> current.owner.equals(nodeId) ? null : current);
    }

    @Override
    public Optional<String> owner(String name) {
        Lease lease = table.leases.get(CheckpointStore.validateName(name));
        return lease != null && lease.expiresAt.isAfter(table.clock.instant()) ? Optional.of(lease.owner)
                : Optional.empty();
    }

    private record Lease(String owner, Instant expiresAt) {
    }

    /** The leases shared by the nodes of one process. Thread-safe. */
    public static final class Table {
        private final Clock clock;
        private final ConcurrentMap<String, Lease> leases = new ConcurrentHashMap<>();

        private Table(Clock clock) {
            this.clock = clock;
        }

        /** The leases as seen by node {@code nodeId}. */
        public InMemoryProjectionLeases node(String nodeId) {
            if (nodeId == null || nodeId.isBlank()) {
                throw new IllegalArgumentException("node id must not be blank");
            }
            return new InMemoryProjectionLeases(this, nodeId);
        }
    }
}
