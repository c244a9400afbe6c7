package dev.relato.postgres;

import dev.relato.ErrorClassifier;
import dev.relato.internal.LeaseRules;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.ProjectionLeases;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link ProjectionLeases} in the {@code projection_leases} table of a {@link PostgresSchema}: one row per
 * lease name (a projection, or a partition of one) with its owner node and expiry, taken and renewed with
 * {@code INSERT … ON CONFLICT DO UPDATE … WHERE expired OR mine}, so that at most one node holds a lease at a
 * time, whatever the number of processes. Expiry uses the database server's clock, so the nodes' clocks need
 * not agree. Pair with {@link PostgresProjectionTransactions#fencedBy} so that a node that lost its lease
 * (paused past its expiry) cannot commit.
 *
 * <p>Thread-safe; one instance per node, shared by its runners. Failures surface as
 * {@link dev.relato.StoreUnavailableException} when transient and as {@link dev.relato.StoreFailureException}
 * otherwise (see {@link PostgresEventStore}); the data source is never closed here.
 */
public final class PostgresProjectionLeases implements ProjectionLeases {
    private final DataSource dataSource;
    private final PostgresSchema schema;
    private final Sql sql;
    private final String nodeId;
    private final SqlErrors errors;

    /**
     * Leases with the default classification of errors; {@link PostgresEventStore#leases(String)}
     * applies the store's.
     *
     * @param nodeId this node's id, unique among the nodes (for example host name and process id), 1 to 200
     *               characters
     */
    public PostgresProjectionLeases(DataSource dataSource, PostgresSchema schema, String nodeId) {
        this(dataSource, schema, nodeId, new SqlErrors(ErrorClassifier.storeDefault()));
    }

    PostgresProjectionLeases(DataSource dataSource, PostgresSchema schema, String nodeId, SqlErrors errors) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.sql = new Sql(schema);
        this.nodeId = CheckpointStore.validateName(nodeId);
        this.errors = errors;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    /** The schema of the lease table. */
    public PostgresSchema schema() {
        return schema;
    }

    @Override
    public boolean acquire(String name, Duration duration) {
        LeaseRules.checkAcquire(name, duration);
        return Sessions.call(dataSource, errors, () -> "acquiring the lease of '" + name + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.acquireLease)) {
                ps.setString(1, name);
                ps.setString(2, nodeId);
                ps.setLong(3, duration.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public void release(String name) {
        CheckpointStore.validateName(name);
        Sessions.call(dataSource, errors, () -> "releasing the lease of '" + name + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.releaseLease)) {
                ps.setString(1, name);
                ps.setString(2, nodeId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<String> owner(String name) {
        CheckpointStore.validateName(name);
        return Sessions.call(dataSource, errors, () -> "reading the lease of '" + name + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.leaseOwner)) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public String toString() {
        return "PostgresProjectionLeases[" + nodeId + " in " + schema + "]";
    }
}
