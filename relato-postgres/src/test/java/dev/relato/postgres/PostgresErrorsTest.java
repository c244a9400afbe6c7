package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.ErrorClassifier;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.snapshot.Snapshot;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which PostgreSQL errors are transient and which permanent: only allow-listed conditions surface as
 * {@link StoreUnavailableException}; permissions, a schema out of shape and violated constraints surface at
 * once as {@link StoreFailureException} and are never retried.
 */
class PostgresErrorsTest {
    private static String schema;
    private static HikariDataSource pool;
    private static PostgresEventStore store;

    @BeforeAll
    static void start() {
        schema = TestDatabase.newSchema("errors");
        pool = TestDatabase.pool(schema, 4);
        store = PostgresEventStore.builder().dataSource(pool).schema(schema).build();
        store.migrate();
    }

    @AfterAll
    static void stop() {
        store.close();
        pool.close();
        TestDatabase.dropSchema(schema);
    }

    private static List<EventData> one() {
        return List.of(EventData.of("Placed", "{}"));
    }

    /** A classifier that keeps the store's verdict and counts how often it was asked. */
    private static final class Counting implements ErrorClassifier {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Kind classify(Throwable error, Kind storeVerdict) {
            calls.incrementAndGet();
            return storeVerdict;
        }
    }

    @Test
    void aRoleWithoutGrantsFailsPermanentlyAndIsNotRetried() {
        String role = "relato_nogrant_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        TestDatabase.execute("CREATE ROLE " + role + " LOGIN");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabase.url().replace("user=" + TestDatabase.USER, "user=" + role));
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(0);
        Counting classifier = new Counting();
        try (HikariDataSource denied = new HikariDataSource(config);
             PostgresEventStore refused = PostgresEventStore.builder().dataSource(denied).schema(schema)
                     .errorClassifier(classifier).build()) {
            assertThatThrownBy(() -> refused.append(StreamId.of("Order", "1"), ExpectedVersion.any(), one()))
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("appending to stream 'Order-1'")
                    .hasMessageContaining("permission denied")
                    .hasMessageContaining("42501");
            assertThat(classifier.calls).as("asked once: no retry").hasValue(1);
            assertThatThrownBy(() -> refused.readAll(GlobalRead.fromStart()).toList())
                    .isInstanceOf(StoreFailureException.class).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> refused.snapshots().load(StreamId.of("Order", "1")))
                    .isInstanceOf(StoreFailureException.class).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> refused.migrate())
                    .isInstanceOf(StoreFailureException.class).hasMessageContaining("migrating schema");
        } finally {
            TestDatabase.execute("DROP ROLE " + role);
        }
    }

    @Test
    void theClassifierCanOverrideTheVerdict() {
        String missing = TestDatabase.newSchema("never_migrated");
        try (PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(missing)
                .errorClassifier((error, verdict) -> error instanceof SQLException e && "42P01".equals(e.getSQLState())
                        ? ErrorClassifier.Kind.TRANSIENT : verdict)
                .build()) {
            assertThatThrownBy(() -> store.streamVersion(StreamId.of("Order", "1")))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("migrate()");
            // and in every store it makes
            assertThatThrownBy(() -> store.snapshots().load(StreamId.of("Order", "1")))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.checkpoints().load("totals"))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.deadLetters().list("totals"))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.leases("node-1").owner("totals"))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.projectionTransactions().fencedBy(store.leases("node-1"))
                    .checkpoint("totals"))
                    .isInstanceOf(StoreUnavailableException.class);
        }
        // the public constructors keep the allow-list's verdict
        assertThatThrownBy(() -> new PostgresDeadLetterStore(pool, PostgresSchema.of(missing)).list("totals"))
                .isInstanceOf(StoreFailureException.class);
    }

    @Test
    void aSchemaThatIsMissingOrOutOfShapeFailsPermanentlyNamingMigrate() throws SQLException {
        String missing = TestDatabase.newSchema("never_migrated");
        try (PostgresEventStore unmigrated = PostgresEventStore.builder().dataSource(pool).schema(missing).build()) {
            assertThatThrownBy(() -> unmigrated.append(StreamId.of("Order", "1"), ExpectedVersion.any(), one()))
                    .isInstanceOf(StoreFailureException.class).hasMessageContaining("migrate()");
            assertThatThrownBy(() -> unmigrated.headPosition())
                    .isInstanceOf(StoreFailureException.class).hasMessageContaining("migrate()");
        }
        String damaged = TestDatabase.newSchema("damaged");
        try (PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(damaged).build()) {
            store.migrate();
            store.append(StreamId.of("Order", "1"), ExpectedVersion.any(), one());
            TestDatabase.execute("ALTER TABLE \"" + damaged + "\".events DROP COLUMN type");
            assertThatThrownBy(() -> store.readAll(GlobalRead.fromStart()).toList())
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("42703").hasMessageContaining("migrate()");
        } finally {
            TestDatabase.dropSchema(damaged);
        }
    }

    @Test
    void aViolatedConstraintFailsPermanently() {
        String constrained = TestDatabase.newSchema("constrained");
        try (PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(constrained).build()) {
            store.migrate();
            TestDatabase.execute("ALTER TABLE \"" + constrained + "\".snapshots ADD COLUMN owner text NOT NULL");
            assertThatThrownBy(() -> store.snapshots().save(new Snapshot(StreamId.of("Order", "1"), 1, 1, "{}",
                    Instant.now())))
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("saving the snapshot of stream 'Order-1'").hasMessageContaining("23502");
        } finally {
            TestDatabase.dropSchema(constrained);
        }
    }

    @Test
    void aTerminatedConnectionIsTransient() throws SQLException {
        String app = schema + "_terminated";
        try (HikariDataSource own = TestDatabase.pool(app, 1);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(own).schema(schema).build();
             Connection tx = own.getConnection()) {
            tx.setAutoCommit(false);
            store.append(tx, StreamId.of("Order", "t1"), ExpectedVersion.any(), one());
            assertThat(TestDatabase.terminate(app)).isEqualTo(1);
            assertThatThrownBy(() -> store.append(tx, StreamId.of("Order", "t2"), ExpectedVersion.any(), one()))
                    .isInstanceOf(StoreUnavailableException.class);
        }
    }

    /** A pool of one connection of this JVM's test database, which waits {@code timeoutMillis} to lend it. */
    private static HikariDataSource singleConnection(long timeoutMillis) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabase.url());
        config.setMaximumPoolSize(1);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(timeoutMillis);
        return new HikariDataSource(config);
    }

    @Test
    void aPoolWithNoConnectionToLendIsTransient() throws SQLException {
        try (HikariDataSource tiny = singleConnection(250);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(tiny).schema(schema).build();
             Connection held = tiny.getConnection()) {
            assertThat(held.isValid(1)).isTrue();
            assertThatThrownBy(() -> store.streamVersion(StreamId.of("Order", "1")))
                    .isInstanceOf(StoreUnavailableException.class);
        }
    }

    @Test
    void aFailedAppendInTheCallersTransactionBorrowsNoSecondConnection() throws SQLException {
        StreamId stream = StreamId.of("Order", "head-" + UUID.randomUUID());
        store.append(stream, ExpectedVersion.noStream(), List.of(EventData.of("A", "{}"), EventData.of("B", "{}")));
        // the last event moved to a position no transaction sorts above: an append after it in a transaction that
        // had an id already is refused as a serialization failure, which aborts the caller's transaction
        TestDatabase.execute("UPDATE \"" + schema + "\".events SET position = 9223372036854775807 WHERE stream_id = '"
                + stream.id() + "' AND stream_version = 2");
        // a second borrow would wait for the pool's timeout and fail as transient, without the SQL state
        try (HikariDataSource single = singleConnection(2_000);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(single).schema(schema).build()) {
            try (Connection tx = single.getConnection()) {
                tx.setAutoCommit(false);
                try (Statement s = tx.createStatement()) {
                    s.execute("SELECT pg_current_xact_id()");
                }
                assertThatThrownBy(() -> store.append(tx, stream, ExpectedVersion.exactly(2), one()))
                        .isInstanceOf(StoreUnavailableException.class)
                        .hasMessageContaining("40001")
                        .hasMessageContaining("roll back the transaction and retry it");
                tx.rollback();
                tx.setAutoCommit(true);
            }
        }
        assertThat(store.read(stream)).extracting(RecordedEvent::type).containsExactly("A", "B");
    }
}
