package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inline and asynchronous projections into read models in the same SQLite file as the events. */
class SqliteProjectionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

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

    private final EventSerializer serializer = EventSerializer.of(EventTypes.builder()
            .registerSealed(ShopEvent.class).build());

    @TempDir
    Path dir;
    SqliteEventStore store;

    @BeforeEach
    void open() {
        store = SqliteEventStore.open(dir.resolve("shop.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    /**
     * An order list in table {@code table}; not idempotent on purpose: every event adds one to the row's
     * {@code events} count, so a repeated or lost event shows.
     */
    private Projection<Connection> orderList(String name, String table, Hook hook) {
        store.inTransaction(tx -> {
            try (Statement ddl = tx.connection().createStatement()) {
                ddl.execute("CREATE TABLE IF NOT EXISTS " + table
                        + " (order_id TEXT PRIMARY KEY, customer TEXT NOT NULL, status TEXT NOT NULL, events INTEGER NOT NULL)");
            }
        });
        return Projection.<Connection>named(name)
                .on(ShopEvent.OrderPlaced.class, (sql, e, rec) -> {
                    hook.before(e);
                    update(sql, "INSERT INTO " + table + " VALUES (?, ?, 'placed', 1)", e.orderId(), e.customer());
                })
                .on(ShopEvent.OrderConfirmed.class, (sql, e, rec) -> update(sql,
                        "UPDATE " + table + " SET status = 'confirmed', events = events + 1 WHERE order_id = ?", e.orderId()))
                .build();
    }

    private Projection<Connection> orderList(String name, String table) {
        return orderList(name, table, e -> {
        });
    }

    private static void update(Connection sql, String statement, String... values) throws SQLException {
        try (PreparedStatement ps = sql.prepareStatement(statement)) {
            for (int i = 0; i < values.length; i++) {
                ps.setString(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    private List<String> rows(String table) {
        return store.callInTransaction(tx -> {
            List<String> rows = new ArrayList<>();
            try (Statement select = tx.connection().createStatement();
                 ResultSet rs = select.executeQuery("SELECT order_id, customer, status, events FROM " + table
                         + " ORDER BY order_id")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getInt(4));
                }
            }
            return rows;
        });
    }

    private void placeOrders(dev.relato.EventStore target, int from, int to) {
        for (int i = from; i <= to; i++) {
            StreamId stream = StreamId.of("Order", "o-" + i);
            target.append(stream, ExpectedVersion.noStream(), List.of(serializer.serialize(
                    new ShopEvent.OrderPlaced("o-" + i, "c-" + i))));
            if (i % 4 == 0) {
                target.append(stream, ExpectedVersion.exactly(1), List.of(serializer.serialize(
                        new ShopEvent.OrderConfirmed("o-" + i))));
            }
        }
    }

    @Test
    void anInlineProjectionCommitsWithTheAppendOrNotAtAll() {
        Projection<Connection> list = orderList("inline-orders", "inline_orders", e -> {
            if (e.customer().equals("mallory")) {
                throw new IllegalArgumentException("mallory may not order");
            }
        });
        SqliteProjectingEventStore projecting = store.projecting(serializer, List.of(list));

        placeOrders(projecting, 1, 4);
        assertThat(rows("inline_orders")).containsExactly("o-1|c-1|placed|1", "o-2|c-2|placed|1", "o-3|c-3|placed|1",
                "o-4|c-4|confirmed|2");

        long head = store.headPosition();
        StreamId bad = StreamId.of("Order", "bad");
        assertThatThrownBy(() -> projecting.append(bad, ExpectedVersion.noStream(), List.of(
                serializer.serialize(new ShopEvent.OrderPlaced("ok", "alice")),
                serializer.serialize(new ShopEvent.OrderPlaced("bad", "mallory")))))
                .isInstanceOf(ProjectionException.class)
                .hasMessageContaining("inline-orders")
                .hasRootCauseMessage("mallory may not order");
        assertThat(store.headPosition()).isEqualTo(head);
        assertThat(store.streamVersion(bad)).isZero();
        assertThat(rows("inline_orders")).hasSize(4).noneMatch(row -> row.startsWith("ok|"));
    }

    @Test
    void anInlineProjectionJoinsTheCallersTransaction() {
        SqliteProjectingEventStore projecting = SqliteProjectingEventStore.of(store, serializer,
                List.of(orderList("joined-orders", "joined_orders")));
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            projecting.append(tx, StreamId.of("Order", "x"), ExpectedVersion.noStream(),
                    List.of(serializer.serialize(new ShopEvent.OrderPlaced("x", "bob"))));
            assertThat(rowCount(tx.connection(), "joined_orders")).isEqualTo(1);
            throw new IllegalStateException("the caller changes its mind");
        })).hasMessage("the caller changes its mind");
        assertThat(rows("joined_orders")).isEmpty();
        assertThat(store.headPosition()).isZero();
    }

    private static int rowCount(Connection sql, String table) throws SQLException {
        try (Statement s = sql.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void anAsynchronousRunnerKilledMidBatchEndsWithExactlyTheReadModelOfOneUninterruptedPass() throws Exception {
        placeOrders(store, 1, 150);
        SqliteProjectionTransactions transactions = new SqliteProjectionTransactions(store);
        try (ProjectionRunner<Connection> reference = ProjectionRunner.builder(
                orderList("reference", "reference_orders"), store, serializer).transactions(transactions).start()) {
            assertThat(reference.awaitCaughtUp(WAIT)).isTrue();
        }

        AtomicInteger untilCrash = new AtomicInteger(97);
        Projection<Connection> crashing = orderList("killed", "killed_orders", e -> {
            if (untilCrash.decrementAndGet() == 0) {
                throw new Crash();
            }
        });
        ProjectionRunner.Builder<Connection> builder = ProjectionRunner.builder(crashing, store, serializer)
                .transactions(transactions).batchSize(30);
        try (ProjectionRunner<Connection> first = builder.start()) {
            assertThat(first.awaitCaughtUp(WAIT)).isFalse();
            assertThat(first.status().state()).isEqualTo(ProjectionState.FAILED);
        }
        long checkpoint = store.checkpoints().load("killed");
        assertThat(checkpoint).isPositive().isLessThan(store.headPosition());
        try (ProjectionRunner<Connection> second = builder.start()) {
            assertThat(second.awaitCaughtUp(WAIT)).isTrue();
            placeOrders(store, 151, 160);
            assertThat(second.awaitCaughtUp(WAIT)).isTrue();
        }
        try (ProjectionRunner<Connection> reference = ProjectionRunner.builder(
                orderList("reference", "reference_orders"), store, serializer).transactions(transactions).start()) {
            assertThat(reference.awaitCaughtUp(WAIT)).isTrue();
        }
        assertThat(rows("killed_orders")).hasSize(160).isEqualTo(rows("reference_orders"));
        assertThat(store.checkpoints().load("killed")).isEqualTo(store.headPosition());
    }

    @Test
    void skippedEventsAreKeptAsDeadLettersInTheFileAndCanBeReplayed() throws Exception {
        placeOrders(store, 1, 8);
        SqliteDeadLetterStore deadLetters = new SqliteDeadLetterStore(store);
        AtomicInteger failuresLeft = new AtomicInteger(2);
        Projection<Connection> list = orderList("picky", "picky_orders", e -> {
            if (e.orderId().equals("o-5") && failuresLeft.getAndDecrement() > 0) {
                throw new SQLException("o-5 cannot be stored yet");
            }
        });
        try (ProjectionRunner<Connection> runner = ProjectionRunner.builder(list, store, serializer)
                .transactions(new SqliteProjectionTransactions(store))
                .failurePolicy(FailurePolicy.retry(2, Duration.ofMillis(5)).thenSkip())
                .deadLetters(deadLetters)
                .start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
            assertThat(rows("picky_orders")).hasSize(7).noneMatch(row -> row.startsWith("o-5|"));
            List<DeadLetter> letters = deadLetters.list("picky");
            assertThat(letters).singleElement().satisfies(letter -> {
                assertThat(letter.streamId()).isEqualTo(StreamId.of("Order", "o-5"));
                assertThat(letter.streamVersion()).isEqualTo(1);
                assertThat(letter.type()).isEqualTo("OrderPlaced");
                assertThat(letter.error()).contains("o-5 cannot be stored yet");
                assertThat(letter.attempts()).isEqualTo(2);
                assertThat(deadLetters.find("picky", letter.position())).contains(letter);
            });

            assertThat(runner.replay(letters.get(0))).isTrue();
        }
        assertThat(rows("picky_orders")).hasSize(8).contains("o-5|c-5|placed|1");
        assertThat(deadLetters.list("picky")).isEmpty();
    }

    @Test
    void aNewVersionIsRebuiltInItsOwnTableThenActivatedAndAResetReplaysIt() throws Exception {
        placeOrders(store, 1, 20);
        SqliteProjectionTransactions transactions = new SqliteProjectionTransactions(store);
        ProjectionVersions versions = new ProjectionVersions(store.checkpoints());
        versions.activate("orders", 1);
        try (ProjectionRunner<Connection> v1 = ProjectionRunner.builder(
                orderList(ProjectionVersions.versionedName("orders", 1), "orders_v1"), store, serializer)
                .transactions(transactions).start();
             ProjectionRunner<Connection> v2 = ProjectionRunner.builder(
                orderList(ProjectionVersions.versionedName("orders", 2), "orders_v2"), store, serializer)
                .transactions(transactions).start()) {
            assertThat(v2.awaitCaughtUp(WAIT)).isTrue();
            assertThat(versions.live("orders")).hasValue(1);
            versions.activate("orders", 2);
            assertThat(v1.awaitCaughtUp(WAIT)).isTrue();
            assertThat(rows("orders_v2")).isEqualTo(rows("orders_v1"));

            store.inTransaction(tx -> update(tx.connection(), "DELETE FROM orders_v2"));
            v2.resetTo(0);
            assertThat(v2.awaitCaughtUp(WAIT)).isTrue();
            assertThat(rows("orders_v2")).hasSize(20).isEqualTo(rows("orders_v1"));
        }
        assertThat(versions.live("orders")).hasValue(2);
    }

    @Test
    void anInlineProjectionDropsADeletedStreamsRowsInTheDeletesTransaction() {
        orderList("inline-removals", "kept_orders");
        Projection<Connection> list = Projection.<Connection>named("inline-removals")
                .on(ShopEvent.OrderPlaced.class, (sql, e, rec) -> update(sql,
                        "INSERT INTO kept_orders VALUES (?, ?, 'placed', 1)", e.orderId(), e.customer()))
                .onStreamDeleted((sql, notice) -> {
                    if (notice.stream().id().equals("o-3")) {
                        throw new IllegalStateException("order o-3 must stay");
                    }
                    update(sql, "DELETE FROM kept_orders WHERE order_id = ?", notice.stream().id());
                })
                .build();
        SqliteProjectingEventStore projecting = store.projecting(serializer, List.of(list));
        placeOrders(projecting, 1, 3);

        assertThat(projecting.deleteStream(StreamId.of("Order", "o-2"), ExpectedVersion.any())).isEqualTo(1);
        assertThat(rows("kept_orders")).containsExactly("o-1|c-1|placed|1", "o-3|c-3|placed|1");

        assertThatThrownBy(() -> projecting.tombstoneStream(StreamId.of("Order", "o-3"), ExpectedVersion.any()))
                .isInstanceOf(ProjectionException.class).hasMessageContaining("o-3 must stay");
        assertThat(store.read(StreamId.of("Order", "o-3"))).as("the delete rolled back with the handler").hasSize(1);
        assertThat(store.isTombstoned(StreamId.of("Order", "o-3"))).isFalse();
        assertThat(rows("kept_orders")).containsExactly("o-1|c-1|placed|1", "o-3|c-3|placed|1");
        assertThat(projecting.deleteStream(StreamId.of("Order", "o-9"), ExpectedVersion.any()))
                .as("no events, no notice").isZero();
    }

    @Test
    void anAsynchronousRunnerHandlesANoticeInTheCheckpointsTransactionExactlyOnce() throws Exception {
        orderList("async-removals", "removed_orders");
        AtomicInteger told = new AtomicInteger();
        Projection<Connection> list = Projection.<Connection>named("async-removals")
                .on(ShopEvent.OrderPlaced.class, (sql, e, rec) -> update(sql,
                        "INSERT INTO removed_orders VALUES (?, ?, 'placed', 1)", e.orderId(), e.customer()))
                .onStreamDeleted((sql, notice) -> {
                    update(sql, "DELETE FROM removed_orders WHERE order_id = ?", notice.stream().id());
                    if (told.incrementAndGet() == 1) {
                        throw new Crash();
                    }
                })
                .build();
        placeOrders(store, 1, 3);
        ProjectionRunner.Builder<Connection> builder = ProjectionRunner.builder(list, store, serializer)
                .transactions(new SqliteProjectionTransactions(store)).batchSize(1);
        try (ProjectionRunner<Connection> seen = builder.start()) {
            assertThat(seen.awaitCaughtUp(WAIT)).isTrue();
        }
        store.deleteStream(StreamId.of("Order", "o-2"), ExpectedVersion.any());
        placeOrders(store, 5, 5);
        try (ProjectionRunner<Connection> first = builder.start()) {
            assertThat(first.awaitCaughtUp(WAIT)).isFalse();
        }
        assertThat(rows("removed_orders")).as("the crash rolled the handler's delete back")
                .containsExactly("o-1|c-1|placed|1", "o-2|c-2|placed|1", "o-3|c-3|placed|1");
        try (ProjectionRunner<Connection> second = builder.start()) {
            assertThat(second.awaitCaughtUp(WAIT)).isTrue();
        }
        try (ProjectionRunner<Connection> third = builder.start()) {
            assertThat(third.awaitCaughtUp(WAIT)).isTrue();
        }
        assertThat(told).as("handled again after the crash, and never after it committed").hasValue(2);
        assertThat(rows("removed_orders")).containsExactly("o-1|c-1|placed|1", "o-3|c-3|placed|1", "o-5|c-5|placed|1");
        assertThat(store.checkpoints().load("async-removals")).isEqualTo(store.headPosition());
    }
}
