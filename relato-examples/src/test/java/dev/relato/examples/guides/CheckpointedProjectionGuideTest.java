package dev.relato.examples.guides;

import static dev.relato.examples.guides.AggregateRootGuideTest.SERIALIZER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.examples.guides.AggregateRootGuideTest.OrderConfirmed;
import dev.relato.projection.FailurePolicy;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.sqlite.SqliteEventStore;
import dev.relato.sqlite.SqliteProjectionTransactions;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The code of guides/checkpointed-projection.md, run. */
class CheckpointedProjectionGuideTest {
    @TempDir
    Path dir;

    // guide:begin
    static final Projection<Connection> CONFIRMED = Projection.<Connection>named("confirmed-orders")
            .on(OrderConfirmed.class, (sql, confirmed, record, live) -> {
                try (var insert = sql.prepareStatement(
                        "INSERT OR IGNORE INTO confirmed_orders (order_id, live) VALUES (?, ?)")) {
                    insert.setString(1, record.streamId().id());
                    insert.setBoolean(2, live);                             // false while catching up
                    insert.executeUpdate();
                }
            })
            .build();

    static ProjectionRunner<Connection> start(SqliteEventStore store) {
        return ProjectionRunner.builder(CONFIRMED, store, SERIALIZER)
                .transactions(new SqliteProjectionTransactions(store))      // read model + checkpoint commit together
                .failurePolicy(FailurePolicy.retry(3, Duration.ofMillis(100)).thenSkip())
                .deadLetters(store.deadLetters())                          // where skipped events go
                .leases(store.leases("node-1"), Duration.ofSeconds(15))    // one node at a time
                .start();
    }
    // guide:end

    @Test
    void theGuideRuns() throws Exception {
        try (var store = SqliteEventStore.open(dir.resolve("orders.db"))) {
            store.inTransaction(tx -> {
                try (var sql = tx.connection().createStatement()) {
                    sql.execute("CREATE TABLE confirmed_orders (order_id TEXT PRIMARY KEY, live INTEGER)");
                }
            });
            var orders = AggregateRootGuideTest.orders(store);
            orders.create("o-1", order -> { order.place("alice"); order.confirm(); });
            try (var runner = start(store)) {
                assertThat(runner.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                orders.create("o-2", order -> { order.place("bob"); order.confirm(); });
                assertThat(runner.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            }
            assertThat(store.checkpoints().load("confirmed-orders")).isEqualTo(store.headPosition());
            assertThat(store.leases("node-2").owner("confirmed-orders")).as("released on close").isEmpty();
            int confirmed = store.query(sql -> {
                try (var select = sql.createStatement();
                     var rows = select.executeQuery("SELECT count(*) FROM confirmed_orders")) {
                    rows.next();
                    return rows.getInt(1);
                }
            });
            assertThat(confirmed).isEqualTo(2);
        }
    }
}
