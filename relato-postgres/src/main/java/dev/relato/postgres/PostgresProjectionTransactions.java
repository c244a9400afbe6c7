package dev.relato.postgres;

import dev.relato.ErrorClassifier;
import dev.relato.projection.ProjectionOwnershipException;
import dev.relato.projection.ProjectionTransactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link ProjectionTransactions} for a read model in the PostgreSQL database of the checkpoints: each batch of
 * a {@link dev.relato.projection.ProjectionRunner} runs in one transaction on a connection of the data source;
 * the handlers write through that {@link Connection} and the checkpoint is saved in the same transaction, so
 * the read model and the checkpoint commit together and every event affects the read model exactly once, even
 * if the process dies mid-batch.
 *
 * <pre>{@code
 * PostgresProjectionLeases leases = new PostgresProjectionLeases(pool, schema, "node-1");
 * ProjectionRunner<Connection> runner = ProjectionRunner.builder(orderList, store, serializer)
 *         .transactions(new PostgresProjectionTransactions(pool, schema).fencedBy(leases))
 *         .leases(leases, Duration.ofSeconds(10))
 *         .start();
 * }</pre>
 *
 * <p><b>Fencing.</b> Each commit locks the checkpoint's row and refuses to go on (with
 * {@link ProjectionOwnershipException}, rolling back) if the stored position is not the one the runner
 * started the batch from. {@link #fencedBy fenced by} leases, it also holds a share lock on the lease row,
 * owned by this node and unexpired, for the whole transaction: a node that lost its lease can never commit,
 * and a node taking a lease over waits until a commit in progress has ended, then starts from its checkpoint.
 *
 * <p>Handlers must neither commit nor roll back. Thread-safe; the data source is never closed here.
 * Failures: PostgreSQL failures of the transaction's own statements (begin, fencing, checkpoint, commit)
 * throw {@link dev.relato.StoreUnavailableException} when transient and {@link dev.relato.StoreFailureException}
 * otherwise (see {@link PostgresEventStore}); a handler's exception passes through unchanged after the rollback.
 */
public final class PostgresProjectionTransactions implements ProjectionTransactions<Connection> {
    private final DataSource dataSource;
    private final PostgresSchema schema;
    private final Sql sql;
    private final PostgresCheckpointStore checkpoints;
    private final Optional<String> fenceOwner;
    private final SqlErrors errors;

    /**
     * Transactions on {@code dataSource}, with checkpoints in {@code schema} (migrated), with the default
     * classification of errors; {@link PostgresEventStore#projectionTransactions()} applies the store's.
     */
    public PostgresProjectionTransactions(DataSource dataSource, PostgresSchema schema) {
        this(dataSource, schema, Optional.empty(), new SqlErrors(ErrorClassifier.storeDefault()));
    }

    PostgresProjectionTransactions(DataSource dataSource, PostgresSchema schema, Optional<String> fenceOwner,
                                   SqlErrors errors) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.sql = new Sql(schema);
        this.errors = errors;
        this.checkpoints = new PostgresCheckpointStore(dataSource, schema, errors);
        this.fenceOwner = fenceOwner;
    }

    /**
     * These transactions, committing only while {@code leases}' node holds the lease named as the checkpoint.
     *
     * @throws IllegalArgumentException if the leases live in another schema
     */
    public PostgresProjectionTransactions fencedBy(PostgresProjectionLeases leases) {
        Objects.requireNonNull(leases, "leases must not be null");
        if (!leases.schema().equals(schema)) {
            throw new IllegalArgumentException("the leases live in schema " + leases.schema() + ", the checkpoints in "
                    + schema + "; fencing needs both in one");
        }
        return new PostgresProjectionTransactions(dataSource, schema, Optional.of(leases.nodeId()), errors);
    }

    @Override
    public long checkpoint(String name) {
        return checkpoints.load(name);
    }

    @Override
    public boolean paused(String name) {
        return checkpoints.isPaused(name);
    }

    @Override
    public void commit(String name, long expected, long next, Work<Connection> work) throws Exception {
        inTransaction("committing projection '" + name + "' at " + next, c -> {
            fence(c, name, expected);
            work.run(c);
            checkpoints.save(c, name, next);
        });
    }

    @Override
    public void run(Work<Connection> work) throws Exception {
        inTransaction("replaying an event", work);
    }

    private void fence(Connection c, String name, long expected) {
        if (fenceOwner.isPresent()) {
            boolean held = own("checking the lease of '" + name + "'", () -> {
                try (PreparedStatement ps = c.prepareStatement(sql.holdLease)) {
                    ps.setString(1, name);
                    ps.setString(2, fenceOwner.get());
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next();
                    }
                }
            });
            if (!held) {
                throw new ProjectionOwnershipException("node '" + fenceOwner.get() + "' no longer holds the lease of '"
                        + name + "'");
            }
        }
        long stored = own("locking the checkpoint of '" + name + "'", () -> {
            try (PreparedStatement ps = c.prepareStatement(sql.lockCheckpoint)) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
        if (stored != expected) {
            throw new ProjectionOwnershipException("the checkpoint of '" + name + "' is at " + stored + ", not at "
                    + expected + " as the runner expected; it was moved by someone else");
        }
    }

    private void inTransaction(String what, Work<Connection> work) throws Exception {
        Connection c = own(what, () -> {
            Connection opened = dataSource.getConnection();
            try {
                opened.setAutoCommit(false);
            } catch (SQLException e) {
                opened.close();
                throw e;
            }
            return opened;
        });
        try {
            work.run(c);
            own(what, () -> {
                c.commit();
                return null;
            });
        } catch (Throwable e) {
            Sessions.rollback(c, e);
            throw e;
        } finally {
            Sessions.giveBack(c);
        }
    }

    @FunctionalInterface
    private interface Statement<T> {
        T run() throws SQLException;
    }

    private <T> T own(String what, Statement<T> statement) {
        try {
            return statement.run();
        } catch (SQLException e) {
            throw errors.translate(e, what);
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL projection transactions in " + schema + fenceOwner.map(o -> ", fenced for node " + o).orElse("");
    }
}
