package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.RelatoException;
import dev.relato.SchemaPolicy;
import dev.relato.StoreFailureException;
import dev.relato.StreamDeletedException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresSchemaTest {
    /** Every migration this version ships, oldest first, as the history table records them. */
    private static final List<Integer> SHIPPED_VERSIONS =
            PostgresSchema.defaults().migrations().stream().map(PostgresSchema.Migration::version).toList();
    private static String schema;
    private static HikariDataSource pool;

    @BeforeAll
    static void start() {
        schema = TestDatabase.newSchema("schema");
        pool = TestDatabase.pool(schema, 6);
    }

    @AfterAll
    static void stop() {
        pool.close();
        TestDatabase.dropSchema(schema);
    }

    @Test
    void validatesIdentifiers() {
        assertThat(PostgresSchema.defaults()).isEqualTo(new PostgresSchema("relato", ""));
        for (String bad : List.of("", "Relato", "1abc", "a-b", "a\"b", "a;drop", "pg_catalog", "x".repeat(41))) {
            assertThatThrownBy(() -> PostgresSchema.of(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'");
        }
        for (String bad : List.of("A_", "a b", "x".repeat(16), "9_")) {
            assertThatThrownBy(() -> new PostgresSchema("relato", bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'");
        }
        assertThat(new PostgresSchema("_x9", "app_").tablePrefix()).isEqualTo("app_");
    }

    @Test
    void rendersAScriptForSchemaTools() {
        String sql = new PostgresSchema("billing", "es_").sql();
        assertThat(sql).contains("CREATE SCHEMA IF NOT EXISTS \"billing\"", "\"billing\".es_events",
                "\"billing\".es_stream_tombstones", "\"billing\".es_snapshots", "\"billing\".es_checkpoints",
                "\"billing\".es_append(");
        assertThat(sql).doesNotContain("${");
    }

    @Test
    void aRenderedScriptCreatesAWorkingSchemaThatValidationAndMigrateRecognize() throws Exception {
        String scripted = schema + "_s";
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(new PostgresSchema(scripted, "").sql());
        }
        try (PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(scripted)
                .schemaPolicy(SchemaPolicy.VALIDATE).build()) {
            store.migrate();
            store.validate();
            assertThat(historyVersions(scripted, "")).containsExactlyElementsOf(SHIPPED_VERSIONS);
            assertThat(store.append(StreamId.of("Order", "1"), ExpectedVersion.noStream(),
                    List.of(EventData.of("Placed", "{}"))).lastVersion()).isEqualTo(1);
        } finally {
            TestDatabase.dropSchema(scripted);
        }
    }

    @Test
    void theSchemaPolicyMigratesOrValidatesWhenTheStoreIsBuilt() throws Exception {
        PostgresEventStore.Builder builder = PostgresEventStore.builder().dataSource(pool).schema(schema)
                .tablePrefix("policy_");
        assertThatThrownBy(() -> builder.schemaPolicy(SchemaPolicy.VALIDATE).build())
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("V1__events.sql").hasMessageContaining("V6__occurred_at.sql")
                .hasMessageContaining("migrate()").hasMessageContaining("PostgresSchema.sql()");
        try (PostgresEventStore external = builder.schemaPolicy(SchemaPolicy.EXTERNAL).build()) {
            assertThatThrownBy(() -> external.streamVersion(StreamId.of("Order", "1")))
                    .isInstanceOf(RelatoException.class).hasMessageContaining("migrate()");
        }
        try (PostgresEventStore migrated = builder.schemaPolicy(SchemaPolicy.MIGRATE).build()) {
            migrated.append(StreamId.of("Order", "1"), ExpectedVersion.noStream(), List.of(EventData.of("Placed", "{}")));
        }
        try (PostgresEventStore validated = builder.schemaPolicy(SchemaPolicy.VALIDATE).build()) {
            assertThat(validated.streamVersion(StreamId.of("Order", "1"))).isEqualTo(1);
        }
        assertThat(historyVersions(schema, "policy_")).containsExactlyElementsOf(SHIPPED_VERSIONS);
    }

    @Test
    void openMigratesTheDefaultSchemaOfADataSource() throws Exception {
        try (PostgresEventStore store = PostgresEventStore.open(pool)) {
            assertThat(store.schema()).isEqualTo(PostgresSchema.defaults());
            store.validate();
            assertThat(store.append(StreamId.of("Order", "1"), ExpectedVersion.noStream(),
                    List.of(EventData.of("Placed", "{}"))).lastVersion()).isEqualTo(1);
            assertThat(historyVersions(PostgresSchema.DEFAULT_NAME, "")).containsExactlyElementsOf(SHIPPED_VERSIONS);
        } finally {
            TestDatabase.dropSchema(PostgresSchema.DEFAULT_NAME);
        }
    }

    @Test
    void tablesMadeWithoutARecordOfTheirMigrationsAreReportedWithTheFix() throws Exception {
        String scripted = schema + "_u";
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(new PostgresSchema(scripted, "").sql());
            s.execute("DELETE FROM \"" + scripted + "\".schema_history");
        }
        // the tables exist, their record does not: an older script's schema
        try {
            assertThatThrownBy(() -> PostgresSchema.of(scripted).migrate(pool))
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("no record of the migrations").hasMessageContaining("PostgresSchema.sql()");
        } finally {
            TestDatabase.dropSchema(scripted);
        }
    }

    private static List<Integer> historyVersions(String schemaName, String prefix) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM \"" + schemaName + "\"." + prefix
                     + "schema_history ORDER BY version")) {
            List<Integer> versions = new ArrayList<>();
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
            return versions;
        }
    }

    @Test
    void concurrentMigrationsApplyEachVersionOnce() throws Exception {
        PostgresSchema target = new PostgresSchema(schema, "race_");
        int threads = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                done.add(executor.submit(() -> {
                    go.await();
                    target.migrate(pool);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            executor.shutdownNow();
        }
        target.migrate(pool);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM \"" + schema + "\".race_schema_history ORDER BY version")) {
            List<Integer> versions = new ArrayList<>();
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
            assertThat(versions).containsExactlyElementsOf(SHIPPED_VERSIONS);
        }
    }

    @Test
    void prefixesKeepStoresApart() {
        try (PostgresEventStore a = PostgresEventStore.builder().dataSource(pool).schema(schema).tablePrefix("a_").build();
             PostgresEventStore b = PostgresEventStore.builder().dataSource(pool).schema(schema).tablePrefix("b_").build()) {
            a.migrate();
            b.migrate();
            StreamId stream = StreamId.of("Order", "same");
            a.append(stream, ExpectedVersion.noStream(), List.of(EventData.of("InA", "{}")));
            assertThat(b.read(stream)).isEmpty();
            assertThat(b.append(stream, ExpectedVersion.noStream(), List.of(EventData.of("InB", "{}"))).lastVersion())
                    .isEqualTo(1);
        }
    }

    @Test
    void anUnmigratedSchemaIsReportedClearly() {
        try (PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema)
                .tablePrefix("none_").build()) {
            assertThatThrownBy(() -> store.append(StreamId.of("Order", "1"), ExpectedVersion.any(),
                    List.of(EventData.of("Placed", "{}"))))
                    .isInstanceOf(RelatoException.class).hasMessageContaining("migrate()");
        }
    }

    @Test
    void serversOlderThanTheMinimumAreRefusedNamingBothVersions() {
        assertThatThrownBy(() -> new ServerVersion(130016, "13.16").requireSupported())
                .isInstanceOf(RelatoException.class)
                .hasMessageContaining("PostgreSQL 13.16").hasMessageContaining("130016")
                .hasMessageContaining("PostgreSQL 14 or later");
        new ServerVersion(140015, "14.15").requireSupported();
        new ServerVersion(170002, "17.2 (Debian 17.2-1)").requireSupported();
        assertThat(PostgresSchema.defaults().sql()).contains("server_version_num')::int < 140000");
    }

    @Test
    void theServerInUseIsSupported() throws Exception {
        try (Connection c = pool.getConnection()) {
            ServerVersion version = ServerVersion.of(c);
            assertThat(version.major()).isGreaterThanOrEqualTo(ServerVersion.MINIMUM);
            version.requireSupported();
        }
    }

    @Test
    void theMigrationWithoutHeadRowsKeepsStreamsTheirVersionsAndTombstones() throws Exception {
        PostgresSchema target = new PostgresSchema(schema, "heads_");
        String qualified = "\"" + schema + "\".heads_";
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            // the schema as V9 left it, written through its append function
            Sql sql = new Sql(target);
            s.execute(sql.createSchema);
            s.execute(sql.createHistory);
            for (PostgresSchema.Migration migration : target.migrations()) {
                if (migration.version() <= 9) {
                    s.execute(migration.sql());
                    s.execute("INSERT INTO " + qualified + "schema_history (version, script, checksum) VALUES ("
                            + migration.version() + ", '" + migration.fileName() + "', '" + migration.checksum() + "')");
                }
            }
            for (String stream : List.of("1", "1", "2", "gone")) {
                s.execute("SELECT * FROM " + qualified + "append('Old', '" + stream + "', -1, ARRAY[gen_random_uuid()],"
                        + " ARRAY['T'], ARRAY[1], ARRAY['{}'], ARRAY['{}'], ARRAY[NULL::timestamptz], false)");
            }
            s.execute("SELECT * FROM " + qualified + "delete_stream('Old', 'gone', -1, true)");
            s.execute("SELECT " + qualified + "truncate_stream('Old', '1', 2)");
        }
        target.migrate(pool);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('" + qualified + "streams') IS NULL")) {
            assertThat(rs.next() && rs.getBoolean(1)).as("head rows dropped").isTrue();
        }
        try (PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema)
                .tablePrefix("heads_").build()) {
            StreamId one = StreamId.of("Old", "1");
            assertThat(store.streamVersion(one)).isEqualTo(2);
            assertThat(store.streamVersion(StreamId.of("Old", "2"))).isEqualTo(1);
            assertThatThrownBy(() -> store.append(one, ExpectedVersion.noStream(), List.of(EventData.of("New", "{}"))))
                    .isInstanceOf(WrongExpectedVersionException.class);
            assertThatThrownBy(() -> store.append(one, ExpectedVersion.exactly(1), List.of(EventData.of("New", "{}"))))
                    .isInstanceOf(WrongExpectedVersionException.class);
            assertThat(store.append(one, ExpectedVersion.exactly(2), List.of(EventData.of("New", "{}"))).lastVersion())
                    .isEqualTo(3);
            assertThatThrownBy(() -> store.append(StreamId.of("Old", "gone"), ExpectedVersion.noStream(),
                    List.of(EventData.of("New", "{}")))).isInstanceOf(StreamDeletedException.class);
        }
    }

    @Test
    void aChangedMigrationIsRefused() throws Exception {
        PostgresSchema target = new PostgresSchema(schema, "drift_");
        target.migrate(pool);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE \"" + schema + "\".drift_schema_history SET checksum = 'x' WHERE version = 1");
        }
        assertThatThrownBy(() -> target.migrate(pool)).isInstanceOf(RelatoException.class)
                .hasMessageContaining("V1__events.sql");
    }
}
