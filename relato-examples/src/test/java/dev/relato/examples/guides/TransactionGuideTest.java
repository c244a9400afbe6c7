package dev.relato.examples.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.aggregate.AggregateRootRepository;
import dev.relato.examples.guides.AggregateRootGuideTest.Order;
import dev.relato.examples.guides.AggregateRootGuideTest.OrderEvent;
import dev.relato.sqlite.SqliteEventStore;
import java.nio.file.Path;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The code of guides/callers-transaction.md, run. */
class TransactionGuideTest {
    @TempDir
    Path dir;

    // guide:begin
    static void confirmAndBill(SqliteEventStore store, AggregateRootRepository<Order, OrderEvent> orders, String id) {
        store.inTransaction(tx -> {
            orders.using(store.boundTo(tx)).update(id, Order::confirm);   // load, raise, append: in tx
            try (var insert = tx.connection().prepareStatement("INSERT INTO invoices (order_id) VALUES (?)")) {
                insert.setString(1, id);                                  // the caller's own table: in tx
                insert.executeUpdate();
            }
        });                                                               // both commit, or neither
    }
    // guide:end

    @Test
    void theGuideRuns() {
        try (var store = SqliteEventStore.open(dir.resolve("orders.db"))) {
            var orders = AggregateRootGuideTest.orders(store);
            store.inTransaction(tx -> {
                try (Statement sql = tx.connection().createStatement()) {
                    sql.execute("CREATE TABLE invoices (order_id TEXT PRIMARY KEY)");
                }
            });
            orders.create("o-1", order -> order.place("alice"));

            confirmAndBill(store, orders, "o-1");
            assertThat(orders.load("o-1").orElseThrow().version()).isEqualTo(2);
            assertThat(invoices(store)).isEqualTo(1);

            assertThatThrownBy(() -> confirmAndBill(store, orders, "o-1")).hasMessageContaining("UNIQUE");
            assertThat(orders.load("o-1").orElseThrow().version()).as("rolled back with the invoice").isEqualTo(2);
            assertThat(invoices(store)).isEqualTo(1);
        }
    }

    private static int invoices(SqliteEventStore store) {
        return store.query(connection -> {
            try (var sql = connection.createStatement(); var rows = sql.executeQuery("SELECT count(*) FROM invoices")) {
                rows.next();
                return rows.getInt(1);
            }
        });
    }
}
