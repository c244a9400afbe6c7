package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.ErrorClassifier;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.InvalidEventException;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.Subscription;
import dev.relato.SubscriptionState;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventType;
import dev.relato.serialization.EventTypes;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure model on SQLite: only the allow-listed conditions (busy, locked, out of memory, disk full, I/O
 * errors that can heal) are transient; the rest is permanent and stops subscriptions at once; the builder's
 * error classifier adjusts the verdict for every store of the file.
 */
class SqliteFailureTest {
    private static final StreamId ORDER = StreamId.of("Order", "1");

    @TempDir
    Path dir;

    private SqliteEventStore open(SqliteEventStore.Builder builder) {
        return builder.path(dir.resolve("events.db")).build();
    }

    private Connection outsider() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("events.db"));
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = outsider(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static List<EventData> event(String type) {
        return List.of(EventData.of(type, "{}"));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting until " + what).isNegative();
            Thread.sleep(5);
        }
    }

    @Test
    void aTableDroppedUnderTheStoreIsAPermanentFailureThatStopsASubscriptionAtOnce() throws Exception {
        try (SqliteEventStore store = open(SqliteEventStore.builder())) {
            store.append(ORDER, ExpectedVersion.noStream(), event("OrderPlaced"));
            sql("DROP TABLE relato_events");

            assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.exactly(1), event("OrderPaid")))
                    .isInstanceOf(StoreFailureException.class).hasMessageContaining(store.path().toString())
                    .hasMessageContaining("no such table");
            assertThatThrownBy(() -> store.read(ORDER)).isInstanceOf(StoreFailureException.class);

            List<Object> delivered = new CopyOnWriteArrayList<>();
            Subscription subscription = store.subscribe(0, EventFilter.all(), delivered::add);
            await("the subscription stopped", () -> !subscription.isRunning());
            assertThat(subscription.state()).isEqualTo(SubscriptionState.FAILED);
            assertThat(subscription.failure()).containsInstanceOf(StoreFailureException.class);
            assertThat(delivered).isEmpty();
        }
    }

    @Test
    void aProjectionRunnerOnATableDroppedUnderItFailsAtOnce() throws Exception {
        try (SqliteEventStore store = open(SqliteEventStore.builder())) {
            store.append(ORDER, ExpectedVersion.noStream(), event("OrderPlaced"));
            sql("DROP TABLE relato_checkpoints");
            EventSerializer serializer = EventSerializer.of(EventTypes.builder().register(Placed.class).build());
            Projection<Connection> projection = Projection.<Connection>named("orders")
                    .on(Placed.class, (connection, e, record) -> { }).build();
            try (ProjectionRunner<Connection> runner = ProjectionRunner.builder(projection, store, serializer)
                    .transactions(new SqliteProjectionTransactions(store)).start()) {
                await("the runner stopped", () -> runner.status().state().isTerminal());
                assertThat(runner.status().state()).isEqualTo(ProjectionState.FAILED);
                assertThat(runner.status().lastError()).hasValueSatisfying(error ->
                        assertThat(error).contains("StoreFailureException", "no such table"));
            }
        }
    }

    /** The event type of the projection above. */
    @EventType(name = "OrderPlaced")
    record Placed() {
    }

    @Test
    void aDatabaseLockedBeyondTheBusyTimeoutIsTransient() throws Exception {
        try (SqliteEventStore store = open(SqliteEventStore.builder().busyTimeout(Duration.ofMillis(50)))) {
            try (Connection other = outsider(); Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.noStream(), event("OrderPlaced")))
                        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("busy timeout");
                s.execute("ROLLBACK");
            }
            assertThat(store.append(ORDER, ExpectedVersion.noStream(), event("OrderPlaced")).lastVersion()).isEqualTo(1);
        }
    }

    @Test
    void eventsTheDatabaseRefusesAreInvalidAndNothingIsStored() throws Exception {
        try (SqliteEventStore store = open(SqliteEventStore.builder())) {
            sql("CREATE TRIGGER refuse BEFORE INSERT ON relato_events WHEN NEW.type = 'Refused' "
                    + "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END");

            assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.noStream(), event("Refused")))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("refused by a trigger");
            assertThat(store.streamVersion(ORDER)).isZero();
            assertThat(store.append(ORDER, ExpectedVersion.noStream(), event("Accepted")).lastVersion()).isEqualTo(1);
        }
    }

    @Test
    void theErrorClassifierDecidesForEveryStoreOfTheFile() throws Exception {
        ErrorClassifier missingTablesHeal = (error, verdict) ->
                String.valueOf(error.getMessage()).contains("no such table") ? ErrorClassifier.Kind.TRANSIENT : verdict;
        try (SqliteEventStore store = open(SqliteEventStore.builder().errorClassifier(missingTablesHeal))) {
            SqliteDeadLetterStore deadLetters = new SqliteDeadLetterStore(store);
            sql("DROP TABLE relato_checkpoints");
            sql("DROP TABLE relato_snapshots");
            sql("DROP TABLE relato_dead_letters");
            sql("DROP TABLE relato_events");

            assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.noStream(), event("OrderPlaced")))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.checkpoints().load("list")).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.checkpoints().save("list", 1)).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.snapshots().load(ORDER)).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> deadLetters.list("list")).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> deadLetters.add(new DeadLetter("list", 1, UUID.randomUUID(), ORDER, 1, "T", "e", "",
                    1, Instant.now()))).isInstanceOf(StoreUnavailableException.class);
        }
        try (SqliteEventStore store = SqliteEventStore.builder().path(dir.resolve("other.db"))
                .errorClassifier((error, verdict) -> ErrorClassifier.Kind.PERMANENT)
                .busyTimeout(Duration.ofMillis(50)).build();
             Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("other.db"));
             Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.noStream(), event("OrderPlaced")))
                    .isInstanceOf(StoreFailureException.class).hasMessageContaining("busy timeout");
            assertThatThrownBy(() -> store.checkpoints().save("list", 1)).isInstanceOf(StoreFailureException.class);
            s.execute("ROLLBACK");
        }
    }

    @Test
    void withoutAClassifierTheOtherStoresFailPermanentlyToo() throws Exception {
        try (SqliteEventStore store = open(SqliteEventStore.builder())) {
            sql("DROP TABLE relato_checkpoints");
            sql("DROP TABLE relato_snapshots");
            assertThatThrownBy(() -> store.checkpoints().load("list")).isInstanceOf(StoreFailureException.class);
            assertThatThrownBy(() -> store.snapshots().load(ORDER)).isInstanceOf(StoreFailureException.class);
        }
    }
}
