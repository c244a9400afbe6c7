package dev.relato.examples.orders;

import dev.relato.StoreUnavailableException;
import dev.relato.serialization.EventSerializer;
import dev.relato.sqlite.SqliteCheckpointStore;
import dev.relato.sqlite.SqliteEventStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * Orders in one SQLite file: the events, and the order list as tables ({@link OrderListTables}) kept by an
 * asynchronous projection that updates the tables and saves its checkpoint in one write transaction, so
 * each event is applied exactly once, across restarts too. Queries read the tables on a read-only
 * connection of their own. Thread-safe; closes the store.
 */
final class SqliteBackend implements OrdersBackend {
    private final SqliteEventStore store;
    private final String url;
    private final ProjectionFollower orderList;

    SqliteBackend(SqliteEventStore store, EventSerializer serializer) {
        this.store = store;
        this.url = "jdbc:sqlite:" + store.path();
        try {
            store.inTransaction(tx -> {
                OrderListTables.createTables(tx.connection());
                CustomerTotalsTables.createTables(tx.connection());
            });
            SqliteCheckpointStore checkpoints = store.checkpoints();
            String name = OrderListTables.PROJECTION.name();
            this.orderList = new ProjectionFollower(store, name, OrderListTables.PROJECTION.filter(serializer),
                    checkpoints.load(name), event -> store.inTransaction(tx -> {
                        OrderListTables.PROJECTION.handle(tx.connection(), event, serializer);
                        checkpoints.save(tx, name, event.position());
                    }));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    @Override
    public String description() {
        return "sqlite at " + store.path();
    }

    @Override
    public SqliteEventStore store() {
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
    public boolean awaitReadModels(long position, Duration timeout) throws InterruptedException {
        return orderList.awaitPosition(position, timeout);
    }

    @Override
    public List<ProjectionStatus> projections() {
        return List.of(orderList.status());
    }

    /** Runs a query on a read-only connection of its own. */
    private <T> T read(String what, Query<T> query) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10_000);
        try (Connection sql = config.createConnection(url)) {
            return query.run(sql);
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot read the " + what + " from " + store.path() + ": "
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
