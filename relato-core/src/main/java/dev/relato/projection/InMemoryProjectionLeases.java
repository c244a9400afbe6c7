package dev.relato.projection;

import dev.relato.internal.LeaseRules;
import dev.relato.internal.Text;
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
        LeaseRules.checkAcquire(name, duration);
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

        /**
         * The leases as seen by node {@code nodeId}.
         *
         * @throws dev.relato.InvalidInputException if the node id is blank, longer than 200 characters or has a
         *                                          control character
         */
        public InMemoryProjectionLeases node(String nodeId) {
            return new InMemoryProjectionLeases(this, Text.requireName(nodeId, "node id", 200));
        }
    }
}
