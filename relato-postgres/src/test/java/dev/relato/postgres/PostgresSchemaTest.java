package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.RelatoException;
import dev.relato.StreamId;
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
                "\"billing\".es_streams", "\"billing\".es_snapshots", "\"billing\".es_checkpoints",
                "\"billing\".es_append(");
        assertThat(sql).doesNotContain("${");
    }

    @Test
    void aRenderedScriptCreatesAWorkingSchema() throws Exception {
        String scripted = schema + "_s";
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(new PostgresSchema(scripted, "").sql());
        }
        try (PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(scripted).build()) {
            assertThat(store.append(StreamId.of("Order", "1"), ExpectedVersion.noStream(),
                    List.of(EventData.of("Placed", "{}"))).lastVersion()).isEqualTo(1);
        } finally {
            TestDatabase.dropSchema(scripted);
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
            assertThat(versions).containsExactly(1, 2, 3, 4, 5, 6, 8);
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
    void theStreamOrderMigrationRecordsEachStreamsLastPosition() throws Exception {
        PostgresSchema target = new PostgresSchema(schema, "backfill_");
        target.migrate(pool);
        String events = "\"" + schema + "\".backfill_events";
        String streams = "\"" + schema + "\".backfill_streams";
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            // a schema as V4 left it, with a stream whose versions were inverted in the log
            s.execute("ALTER TABLE " + streams + " DROP COLUMN last_position");
            s.execute("DELETE FROM \"" + schema + "\".backfill_schema_history WHERE version = 5");
            s.execute("INSERT INTO " + streams + " (category, stream_id, version) VALUES ('Old', '1', 2), ('Old', '2', 1)");
            s.execute("INSERT INTO " + events + " (position, category, stream_id, stream_version, event_id, type,"
                    + " schema_version, payload, metadata, recorded_at, tx_id, append_index, append_size) VALUES"
                    + " (5242881, 'Old', '1', 2, gen_random_uuid(), 'T', 1, '{}', '{}', now(), '5', 0, 1),"
                    + " (6291457, 'Old', '1', 1, gen_random_uuid(), 'T', 1, '{}', '{}', now(), '6', 0, 1),"
                    + " (4194305, 'Old', '2', 1, gen_random_uuid(), 'T', 1, '{}', '{}', now(), '4', 0, 1)");
        }
        target.migrate(pool);
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT stream_id, last_position FROM " + streams + " ORDER BY stream_id")) {
            List<Long> last = new ArrayList<>();
            while (rs.next()) {
                last.add(rs.getLong(2));
            }
            assertThat(last).containsExactly(6291457L, 4194305L);
        }
        try (PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema)
                .tablePrefix("backfill_").build()) {
            assertThat(store.append(StreamId.of("Old", "1"), ExpectedVersion.exactly(2),
                    List.of(EventData.of("New", "{}"))).lastPosition()).isGreaterThan(6291457L);
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
