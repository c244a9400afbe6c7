package dev.relato.bench;

import dev.relato.bench.AccountEvent.Deposited;
import dev.relato.bench.AccountEvent.Withdrawn;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.projection.ProjectionTransactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The W6 read model, a balance and an event count per account, kept by a Relato projection runner: where it
 * lives, how it commits with the checkpoint, and how one event changes it. Used by the runner's thread only.
 *
 * @param <C> the context the projection's handler gets
 */
abstract class ReadModel<C> {

    /** How the runner commits the read model with its checkpoint. */
    abstract ProjectionTransactions<C> transactions();

    /** Applies one event. */
    abstract void apply(C context, AccountEvent event) throws SQLException;

    /** Empties the read model, so a projection from position 0 builds it afresh. */
    abstract void clear();

    /** How many events the read model has counted. */
    abstract long countedEvents();

    /** The change of balance an event makes. */
    static long balanceChange(AccountEvent event) {
        if (event instanceof Deposited d) {
            return d.amountCents();
        }
        if (event instanceof Withdrawn w) {
            return -w.amountCents();
        }
        return 0; // opened
    }

    /** In a map, checkpoint in memory, at least once: the framework's own cost. */
    static final class InMemory extends ReadModel<Map<String, long[]>> {
        private final Map<String, long[]> balances = new ConcurrentHashMap<>();
        private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();

        @Override
        ProjectionTransactions<Map<String, long[]>> transactions() {
            return ProjectionTransactions.atLeastOnce(balances, checkpoints);
        }

        @Override
        void apply(Map<String, long[]> context, AccountEvent event) {
            long[] row = context.computeIfAbsent(event.accountId(), id -> new long[2]);
            row[0] += balanceChange(event);
            row[1]++;
        }

        @Override
        void clear() {
            balances.clear();
        }

        @Override
        long countedEvents() {
            return balances.values().stream().mapToLong(row -> row[1]).sum();
        }
    }

    /**
     * A table in the store's own database, changed in the runner's transaction: each event one upsert through
     * a prepared statement kept for as long as the transaction's connection.
     */
    static final class Sql extends ReadModel<Connection> {
        private final JdbcSql sql;
        private final ProjectionTransactions<Connection> transactions;
        private final JdbcSubject.Connections connections;
        private Connection preparedOn;
        private PreparedStatement upsert;

        /**
         * @param connections where {@link #clear()} and {@link #countedEvents()} run, and the table is created
         */
        Sql(JdbcSql sql, ProjectionTransactions<Connection> transactions, JdbcSubject.Connections connections) {
            this.sql = sql;
            this.transactions = transactions;
            this.connections = connections;
            connections.run(connection -> {
                try (Statement statement = connection.createStatement()) {
                    for (String ddl : sql.createReadModel()) {
                        statement.execute(ddl);
                    }
                }
                return null;
            });
        }

        @Override
        ProjectionTransactions<Connection> transactions() {
            return transactions;
        }

        @Override
        void apply(Connection context, AccountEvent event) throws SQLException {
            if (context != preparedOn || upsert.isClosed()) {
                upsert = context.prepareStatement(sql.applyToBalance());
                preparedOn = context;
            }
            upsert.setString(1, event.accountId());
            upsert.setLong(2, balanceChange(event));
            upsert.executeUpdate();
        }

        @Override
        void clear() {
            connections.run(connection -> {
                try (Statement statement = connection.createStatement()) {
                    statement.executeUpdate(sql.clearReadModel());
                }
                return null;
            });
        }

        @Override
        long countedEvents() {
            return connections.run(connection -> {
                try (Statement statement = connection.createStatement();
                     ResultSet rs = statement.executeQuery(sql.countProjectedEvents())) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
        }
    }
}
