package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.FailurePolicy;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionException;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import dev.relato.projection.ProjectionVersions;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Inline and asynchronous projections into read models in the PostgreSQL database of the events. */
class PostgresProjectionTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    sealed interface ShopEvent {
        record OrderPlaced(String orderId, String customer) implements ShopEvent {
        }

        record OrderConfirmed(String orderId) implements ShopEvent {
        }
    }

    /** Thrown by a handler to end the runner's thread abruptly, as a dying process would. */
    static final class Crash extends Error {
        Crash() {
            super("simulated crash");
        }
    }

    @FunctionalInterface
    interface Hook {
        void before(ShopEvent.OrderPlaced event) throws Exception;
    }

    private static final EventSerializer SERIALIZER = EventSerializer.of(EventTypes.builder()
            .registerSealed(ShopEvent.class).build());

    private static String schemaName;
    private static PostgresSchema schema;
    private static HikariDataSource pool;
    private static PostgresEventStore store;

    @BeforeAll
    static void start() {
        schemaName = TestDatabase.newSchema("projections");
        schema = PostgresSchema.of(schemaName);
        pool = TestDatabase.pool(schemaName, 8);
        store = PostgresEventStore.builder().dataSource(pool).schema(schemaName).build();
        store.migrate();
    }

    @AfterAll
    static void stop() {
        store.close();
        pool.close();
        TestDatabase.dropSchema(schemaName);
    }

    /**
     * An order list in table {@code table}; not idempotent on purpose: every event adds one to the row's
     * {@code events} count, so a repeated or lost event shows.
     */
    private static Projection<Connection> orderList(String name, String table, Hook hook) {
        return orderList(name, table, category(table), hook);
    }

    private static Projection<Connection> orderList(String name, String table, String category, Hook hook) {
        TestDatabase.execute("CREATE TABLE IF NOT EXISTS \"" + schemaName + "\"." + table
                + " (order_id text PRIMARY KEY, customer text NOT NULL, status text NOT NULL, events int NOT NULL)");
        String qualified = "\"" + schemaName + "\"." + table;
        return Projection.<Connection>named(name)
                .on(ShopEvent.OrderPlaced.class, (sql, e, rec) -> {
                    hook.before(e);
                    update(sql, "INSERT INTO " + qualified + " VALUES (?, ?, 'placed', 1)", e.orderId(), e.customer());
                })
                .on(ShopEvent.OrderConfirmed.class, (sql, e, rec) -> update(sql,
                        "UPDATE " + qualified + " SET status = 'confirmed', events = events + 1 WHERE order_id = ?",
                        e.orderId()))
                .categories(category)
                .build();
    }

    private static Projection<Connection> orderList(String name, String table) {
        return orderList(name, table, e -> {
        });
    }

    /** Each test writes streams of its own category, so that tests sharing the schema do not see each other's. */
    private static String category(String table) {
        return "Order_" + table;
    }

    private static void update(Connection sql, String statement, String... values) throws SQLException {
        try (PreparedStatement ps = sql.prepareStatement(statement)) {
            for (int i = 0; i < values.length; i++) {
                ps.setString(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    private static List<String> rows(String table) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement select = c.createStatement();
             ResultSet rs = select.executeQuery("SELECT order_id, customer, status, events FROM \"" + schemaName + "\"."
                     + table + " ORDER BY order_id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getInt(4));
            }
        }
        return rows;
    }

    /** Places orders {@code from} to {@code to}, confirming every fourth; returns the last position written. */
    private static long placeOrders(EventStore target, String category, int from, int to) {
        long last = 0;
        for (int i = from; i <= to; i++) {
            StreamId stream = StreamId.of(category, "o-" + i);
            last = target.append(stream, ExpectedVersion.noStream(), List.of(SERIALIZER.serialize(
                    new ShopEvent.OrderPlaced("o-" + i, "c-" + i)))).lastPosition();
            if (i % 4 == 0) {
                last = target.append(stream, ExpectedVersion.exactly(1), List.of(SERIALIZER.serialize(
                        new ShopEvent.OrderConfirmed("o-" + i)))).lastPosition();
            }
        }
        return last;
    }

    @Test
    void anInlineProjectionCommitsWithTheAppendOrNotAtAll() throws Exception {
        Projection<Connection> list = orderList("inline-orders", "inline_orders", e -> {
            if (e.customer().equals("mallory")) {
                throw new IllegalArgumentException("mallory may not order");
            }
        });
        PostgresProjectingEventStore projecting = store.projecting(SERIALIZER, List.of(list));
        String category = category("inline_orders");

        placeOrders(projecting, category, 1, 4);
        assertThat(rows("inline_orders")).containsExactly("o-1|c-1|placed|1", "o-2|c-2|placed|1", "o-3|c-3|placed|1",
                "o-4|c-4|confirmed|2");

        StreamId bad = StreamId.of(category, "bad");
        assertThatThrownBy(() -> projecting.append(bad, ExpectedVersion.noStream(), List.of(
                SERIALIZER.serialize(new ShopEvent.OrderPlaced("ok", "alice")),
                SERIALIZER.serialize(new ShopEvent.OrderPlaced("bad", "mallory")))))
                .isInstanceOf(ProjectionException.class)
                .hasMessageContaining("inline-orders")
                .hasRootCauseMessage("mallory may not order");
        assertThat(store.streamVersion(bad)).isZero();
        assertThat(rows("inline_orders")).hasSize(4).noneMatch(row -> row.startsWith("ok|"));

        StreamId other = StreamId.of("Customer", "c-1");
        projecting.append(other, ExpectedVersion.noStream(), List.of(SERIALIZER.serialize(
                new ShopEvent.OrderPlaced("elsewhere", "bob"))));
        assertThat(store.streamVersion(other)).isEqualTo(1);
        assertThat(rows("inline_orders")).hasSize(4);
    }

    @Test
    void anInlineProjectionJoinsTheCallersTransaction() throws Exception {
        PostgresProjectingEventStore projecting = PostgresProjectingEventStore.of(store, pool, SERIALIZER,
                List.of(orderList("joined-orders", "joined_orders")));
        StreamId stream = StreamId.of(category("joined_orders"), "x");
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            projecting.append(tx, stream, ExpectedVersion.noStream(),
                    List.of(SERIALIZER.serialize(new ShopEvent.OrderPlaced("x", "bob"))));
            try (Statement s = tx.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM \""
                    + schemaName + "\".joined_orders")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            tx.rollback();
            tx.setAutoCommit(true);
        }
        assertThat(rows("joined_orders")).isEmpty();
        assertThat(store.streamVersion(stream)).isZero();
    }

    @Test
    void anAsynchronousRunnerKilledMidBatchEndsWithExactlyTheReadModelOfOneUninterruptedPass() throws Exception {
        String category = category("killed_orders");
        placeOrders(store, category, 1, 120);
        PostgresProjectionTransactions transactions = new PostgresProjectionTransactions(pool, schema);

        AtomicInteger untilCrash = new AtomicInteger(71);
        Projection<Connection> crashing = orderList("killed", "killed_orders", e -> {
            if (untilCrash.decrementAndGet() == 0) {
                throw new Crash();
            }
        });
        ProjectionRunner.Builder<Connection> builder = ProjectionRunner.builder(crashing, store, SERIALIZER)
                .transactions(transactions).batchSize(25).pollInterval(Duration.ofMillis(100));
        try (ProjectionRunner<Connection> first = builder.start()) {
            assertThat(first.awaitCaughtUp(WAIT)).isFalse();
            assertThat(first.status().state()).isEqualTo(ProjectionState.FAILED);
        }
        assertThat(transactions.checkpoint("killed")).isPositive();
        try (ProjectionRunner<Connection> second = builder.start()) {
            assertThat(second.awaitCaughtUp(WAIT)).isTrue();
            // The head a reader sees may lag behind a transaction in flight (the runner's own batch), so wait
            // for the position the appends reported, not for whatever the head is at this instant.
            long last = placeOrders(store, category, 121, 130);
            assertThat(second.awaitPosition(last, WAIT)).isTrue();
            assertThat(second.awaitCaughtUp(WAIT)).isTrue();
            assertThat(second.status().positionsBehind()).isZero();
        }

        Projection<Connection> reference = orderList("reference", "reference_orders", category, e -> {
        });
        try (ProjectionRunner<Connection> single = ProjectionRunner.builder(reference, store, SERIALIZER)
                .transactions(transactions).start()) {
            assertThat(single.awaitCaughtUp(WAIT)).isTrue();
        }
        assertThat(rows("killed_orders")).hasSize(130).isEqualTo(rows("reference_orders"));
    }

    @Test
    void skippedEventsAreKeptAsDeadLettersAndCanBeReplayed() throws Exception {
        String category = category("picky_orders");
        placeOrders(store, category, 1, 8);
        PostgresDeadLetterStore deadLetters = new PostgresDeadLetterStore(pool, schema);
        AtomicInteger failuresLeft = new AtomicInteger(2);
        Projection<Connection> list = orderList("picky", "picky_orders", e -> {
            if (e.orderId().equals("o-5") && failuresLeft.getAndDecrement() > 0) {
                throw new SQLException("o-5 cannot be stored yet");
            }
        });
        try (ProjectionRunner<Connection> runner = ProjectionRunner.builder(list, store, SERIALIZER)
                .transactions(new PostgresProjectionTransactions(pool, schema))
                .failurePolicy(FailurePolicy.retry(2, Duration.ofMillis(5)).thenSkip())
                .deadLetters(deadLetters)
                .start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
            assertThat(rows("picky_orders")).hasSize(7).noneMatch(row -> row.startsWith("o-5|"));
            List<DeadLetter> letters = deadLetters.list("picky");
            assertThat(letters).singleElement().satisfies(letter -> {
                assertThat(letter.streamId()).isEqualTo(StreamId.of(category, "o-5"));
                assertThat(letter.type()).isEqualTo("OrderPlaced");
                assertThat(letter.error()).contains("o-5 cannot be stored yet");
                assertThat(letter.stackTrace()).contains("PostgresProjectionTest");
                assertThat(letter.attempts()).isEqualTo(2);
                assertThat(deadLetters.find("picky", letter.position())).isPresent();
            });

            assertThat(runner.replay(letters.get(0))).isTrue();
        }
        assertThat(rows("picky_orders")).hasSize(8).contains("o-5|c-5|placed|1");
        assertThat(deadLetters.list("picky")).isEmpty();
    }

    @Test
    void aNewVersionIsRebuiltInItsOwnTableThenActivatedAndAResetReplaysIt() throws Exception {
        String category = category("orders_v1");
        PostgresProjectionTransactions transactions = new PostgresProjectionTransactions(pool, schema);
        ProjectionVersions versions = new ProjectionVersions(store.checkpoints());
        versions.activate("orders", 1);
        Projection<Connection> v1 = orderList(ProjectionVersions.versionedName("orders", 1), "orders_v1");
        Projection<Connection> v2 = orderList(ProjectionVersions.versionedName("orders", 2), "orders_v2", category, e -> {
        });
        placeOrders(store, category, 1, 20);
        try (ProjectionRunner<Connection> live = ProjectionRunner.builder(v1, store, SERIALIZER)
                .transactions(transactions).start()) {
            assertThat(live.awaitCaughtUp(WAIT)).isTrue();
            try (ProjectionRunner<Connection> rebuild = ProjectionRunner.builder(v2, store, SERIALIZER)
                    .transactions(transactions).start()) {
                assertThat(rebuild.awaitCaughtUp(WAIT)).isTrue();
                assertThat(versions.live("orders")).hasValue(1);
                versions.activate("orders", 2);
                assertThat(rows("orders_v2")).hasSize(20).isEqualTo(rows("orders_v1"));

                TestDatabase.execute("DELETE FROM \"" + schemaName + "\".orders_v2");
                rebuild.resetTo(0);
                assertThat(rebuild.awaitCaughtUp(WAIT)).isTrue();
                assertThat(rows("orders_v2")).hasSize(20).isEqualTo(rows("orders_v1"));
            }
        }
        assertThat(versions.live("orders")).hasValue(2);
    }

    @Test
    void anInlineProjectionDropsADeletedStreamsRowsInTheDeletesTransaction() throws Exception {
        orderList("inline-removals", "kept_orders");
        String qualified = "\"" + schemaName + "\".kept_orders";
        String category = category("kept_orders");
        Projection<Connection> list = Projection.<Connection>named("inline-removals")
                .on(ShopEvent.OrderPlaced.class, (sql, e, rec) -> update(sql,
                        "INSERT INTO " + qualified + " VALUES (?, ?, 'placed', 1)", e.orderId(), e.customer()))
                .onStreamDeleted((sql, notice) -> {
                    if (notice.stream().id().equals("o-3")) {
                        throw new IllegalStateException("order o-3 must stay");
                    }
                    update(sql, "DELETE FROM " + qualified + " WHERE order_id = ?", notice.stream().id());
                })
                .categories(category)
                .build();
        PostgresProjectingEventStore projecting = store.projecting(SERIALIZER, List.of(list));
        placeOrders(projecting, category, 1, 3);

        assertThat(projecting.deleteStream(StreamId.of(category, "o-2"), ExpectedVersion.any())).isEqualTo(1);
        assertThat(rows("kept_orders")).containsExactly("o-1|c-1|placed|1", "o-3|c-3|placed|1");

        assertThatThrownBy(() -> projecting.tombstoneStream(StreamId.of(category, "o-3"), ExpectedVersion.any()))
                .isInstanceOf(ProjectionException.class).hasMessageContaining("o-3 must stay");
        assertThat(store.read(StreamId.of(category, "o-3"))).as("the delete rolled back with the handler").hasSize(1);
        assertThat(store.isTombstoned(StreamId.of(category, "o-3"))).isFalse();
        assertThat(rows("kept_orders")).containsExactly("o-1|c-1|placed|1", "o-3|c-3|placed|1");
        assertThat(projecting.deleteStream(StreamId.of(category, "o-9"), ExpectedVersion.any()))
                .as("no events, no notice").isZero();
    }
}
