package dev.relato.sqlite;

import dev.relato.internal.LeaseRules;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.ProjectionLeases;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link ProjectionLeases} in the {@code <prefix>projection_leases} table of a {@link SqliteEventStore}'s file: one
 * row per lease name with its owner node and expiry, taken and renewed by one conditional upsert under SQLite's
 * write lock, so at most one node holds a lease at a time, also across the processes that share the file. Expiry
 * uses this machine's wall clock, which every process on one file shares. Obtained from
 * {@link SqliteEventStore#leases(String)}.
 *
 * <p>Thread-safe; one instance per node, shared by its runners. Failures: SQLite failures throw
 * {@link dev.relato.StoreUnavailableException} (transient) or {@link dev.relato.StoreFailureException} (permanent),
 * as the event store classifies them. Uses the store's connections, so it is unusable once the store is closed.
 */
public final class SqliteProjectionLeases implements ProjectionLeases {
    private final SqliteDatabase db;
    private final SqliteSql sql;
    private final String nodeId;

    SqliteProjectionLeases(SqliteDatabase db, String nodeId) {
        this.db = db;
        this.sql = db.sql();
        this.nodeId = CheckpointStore.validateName(nodeId);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public boolean acquire(String name, Duration duration) {
        LeaseRules.checkAcquire(name, duration);
        return db.write("acquiring the lease of '" + name + "'", session -> {
            long now = System.currentTimeMillis();
            PreparedStatement upsert = session.prepare(sql.acquireLease());
            upsert.setString(1, name);
            upsert.setString(2, nodeId);
            upsert.setLong(3, now + duration.toMillis());
            upsert.setLong(4, now);
            return upsert.executeUpdate() > 0;
        });
    }

    @Override
    public void release(String name) {
        CheckpointStore.validateName(name);
        db.write("releasing the lease of '" + name + "'", session -> {
            PreparedStatement delete = session.prepare(sql.releaseLease());
            delete.setString(1, name);
            delete.setString(2, nodeId);
            return delete.executeUpdate();
        });
    }

    @Override
    public Optional<String> owner(String name) {
        CheckpointStore.validateName(name);
        return db.read("reading the lease of '" + name + "'", session -> {
            PreparedStatement select = session.prepare(sql.leaseOwner());
            select.setString(1, name);
            select.setLong(2, System.currentTimeMillis());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        });
    }

    @Override
    public String toString() {
        return "SqliteProjectionLeases[" + nodeId + " in " + db.path() + "]";
    }
}
