package dev.relato.examples.orders;

import dev.relato.StoreUnavailableException;
import dev.relato.cli.ops.StoreTarget;
import dev.relato.micrometer.RelatoMetrics;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.process.DeadlineStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;
import dev.relato.sqlite.SqliteDeadLetterStore;
import dev.relato.sqlite.SqliteEventStore;
import dev.relato.sqlite.SqliteProjectingEventStore;
import dev.relato.sqlite.SqliteProjectionTransactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * Orders in one SQLite file: the events and both read models.
 *
 * <ul>
 *   <li>Customer totals ({@link CustomerTotalsTables}) are an <b>inline</b> projection: commands append
 *       through a {@link SqliteProjectingEventStore}, so the totals change in the append's transaction.</li>
 *   <li>The order list ({@link OrderListTables}) is an <b>asynchronous</b> projection: a
 *       {@link ProjectionRunner} updates the tables and saves its checkpoint in one write transaction
 *       ({@link SqliteProjectionTransactions}), so each event is applied exactly once, across restarts too. The
 *       events it skips are kept in the file's dead-letter table ({@link SqliteDeadLetterStore}).</li>
 * </ul>
 *
 * <p>The customers' names are encrypted in the events ({@link OrdersKeys}); the data keys are kept in the file,
 * and both projections see the events decrypted.
 *
 * <p>Queries read the tables on a read-only connection of their own. Thread-safe; closes the store.
 */
final class SqliteBackend implements OrdersBackend {
    private final SqliteEventStore sqlite;
    private final PersonalDataStore store;
    private final String url;
    private final ManagedProjection<Connection> orderList;

    /** @param kek the key-encryption key of the customers' personal data, whose data keys are kept in the file */
    SqliteBackend(SqliteEventStore sqlite, KeyEncryptionKey kek, EventSerializer serializer, RelatoMetrics metrics) {
        this.sqlite = sqlite;
        this.url = "jdbc:sqlite:" + sqlite.path();
        try {
            sqlite.inTransaction(tx -> {
                OrderListTables.createTables(tx.connection());
                CustomerTotalsTables.createTables(tx.connection());
            });
            this.store = OrdersKeys.wrap(sqlite.projecting(serializer, List.of(CustomerTotalsTables.PROJECTION)),
                    sqlite.dataKeys(), kek);
            this.orderList = new ManagedProjection<>(OrderListTables.PROJECTION, store, serializer,
                    new SqliteProjectionTransactions(sqlite), sqlite.deadLetters(), metrics);
        } catch (RuntimeException e) {
            sqlite.close();
            throw e;
        }
    }

    @Override
    public StoreTarget console() {
        return StoreTarget.of("sqlite", description(), sqlite, sqlite.checkpoints(), sqlite.deadLetters(),
                sqlite::dataKeys);
    }

    @Override
    public String description() {
        return "sqlite at " + sqlite.path();
    }

    @Override
    public PersonalDataStore store() {
        return store;
    }

    @Override
    public List<OrderSummary> findOrders(OrderQuery query) {
        return read("order list", sql -> OrderListTables.find(sql, query));
    }

    @Override
    public Optional<CustomerTotals> customerTotals(String customer) {
        return read("customer totals", sql -> CustomerTotalsTables.find(sql, customer));
    }

    @Override
    public DeadlineStore deadlines() {
        return sqlite.deadlines();
    }

    @Override
    public CheckpointStore checkpoints() {
        return sqlite.checkpoints();
    }

    @Override
    public List<ManagedProjection<?>> projections() {
        return List.of(orderList);
    }

    /** Runs a query on a read-only connection of its own. */
    private <T> T read(String what, Query<T> query) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10_000);
        try (Connection sql = config.createConnection(url)) {
            return query.run(sql);
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot read the " + what + " from " + sqlite.path() + ": "
                    + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Query<T> {
        T run(Connection sql) throws SQLException;
    }

    @Override
    public void close() {
        try {
            orderList.close();
        } finally {
            store.close();
        }
    }
}
