package dev.relato.examples.guides;

import static dev.relato.examples.guides.AggregateRootGuideTest.SERIALIZER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.aggregate.AggregateRootRepository;
import dev.relato.examples.guides.AggregateRootGuideTest.LineAdded;
import dev.relato.examples.guides.AggregateRootGuideTest.Order;
import dev.relato.examples.guides.AggregateRootGuideTest.OrderEvent;
import dev.relato.examples.guides.AggregateRootGuideTest.OrderPlaced;
import dev.relato.projection.Projection;
import dev.relato.sqlite.SqliteEventStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The code of guides/inline-read-model.md, run. */
class InlineReadModelGuideTest {
    @TempDir
    Path dir;

    // guide:begin
    static final Projection<Connection> ORDER_LINES = Projection.<Connection>named("order-lines")
            .on(OrderPlaced.class, (sql, placed, record) -> update(sql,
                    "INSERT INTO order_lines (order_id, customer, lines) VALUES (?, ?, 0)",
                    record.streamId().id(), placed.customer()))
            .on(LineAdded.class, (sql, added, record) -> update(sql,
                    "UPDATE order_lines SET lines = lines + 1 WHERE order_id = ?", record.streamId().id()))
            .build();

    static int linesOf(SqliteEventStore store, String orderId) {
        return store.query(sql -> {                                       // a pooled read connection
            try (var select = sql.prepareStatement("SELECT lines FROM order_lines WHERE order_id = ?")) {
                select.setString(1, orderId);
                try (var rows = select.executeQuery()) {
                    return rows.next() ? rows.getInt(1) : 0;
                }
            }
        });
    }
    // guide:end

    private static void update(Connection sql, String statement, String... values) throws SQLException {
        try (var update = sql.prepareStatement(statement)) {
            for (int i = 0; i < values.length; i++) {
                update.setString(i + 1, values[i]);
            }
            update.executeUpdate();
        }
    }

    @Test
    void theGuideRuns() {
        try (var sqlite = SqliteEventStore.open(dir.resolve("orders.db"))) {
            sqlite.inTransaction(tx -> {
                try (var sql = tx.connection().createStatement()) {
                    sql.execute("CREATE TABLE order_lines (order_id TEXT PRIMARY KEY, customer TEXT, lines INTEGER)");
                }
            });
            // guide:begin
            var store = sqlite.projecting(SERIALIZER, List.of(ORDER_LINES));    // appends update order_lines too
            var orders = AggregateRootRepository.builder(store, SERIALIZER, "Order", OrderEvent.class, Order.class)
                    .build();
            // guide:end
            orders.create("o-1", order -> order.place("alice"));
            orders.update("o-1", order -> order.addLine("book", 2));
            assertThat(linesOf(sqlite, "o-1")).isEqualTo(1);
            assertThat(linesOf(sqlite, "o-9")).isZero();
        }
    }
}
