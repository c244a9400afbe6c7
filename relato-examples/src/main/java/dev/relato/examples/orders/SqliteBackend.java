package dev.relato.examples.orders;

import dev.relato.StoreUnavailableException;
import dev.relato.serialization.EventSerializer;
import dev.relato.sqlite.SqliteCheckpointStore;
import dev.relato.sqlite.SqliteEventStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
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
            store.inTransaction(tx -> OrderListTables.createTables(tx.connection()));
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
    public OrderListView orderList() {
        return new OrderListView() {
            @Override
            public List<OrderSummary> find(OrderQuery query) {
                SQLiteConfig config = new SQLiteConfig();
                config.setReadOnly(true);
                config.setBusyTimeout(10_000);
                try (Connection sql = config.createConnection(url)) {
                    return OrderListTables.find(sql, query);
                } catch (SQLException e) {
                    throw new StoreUnavailableException("cannot read the order list from " + store.path() + ": "
                            + e.getMessage(), e);
                }
            }

            @Override
            public boolean awaitPosition(long position, Duration timeout) throws InterruptedException {
                return orderList.awaitPosition(position, timeout);
            }
        };
    }

    @Override
    public List<ProjectionStatus> projections() {
        return List.of(orderList.status());
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
