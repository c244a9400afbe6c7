package dev.relato.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.postgres.PostgresSchema;
import dev.relato.postgres.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar against PostgreSQL: the schema commands, and the connection with a read of each kind. */
class CliPostgresIT {
    static String schema;
    static String url;
    static Fixture fixture;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeEvents() {
        url = TestDatabase.url();
        schema = TestDatabase.newSchema("cli");
        try (HikariDataSource pool = TestDatabase.pool("relato-cli-test", 2);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build()) {
            store.migrate();
            fixture = Fixture.write(store, store.checkpoints(), store.deadLetters());
        }
    }

    @AfterAll
    static void dropSchema() {
        if (schema != null) {
            TestDatabase.dropSchema(schema);
            TestDatabase.dropSchema(schema + "_new");
        }
    }

    @Test
    void schemaPrintWriteMigrateAndStatus() throws Exception {
        Cli.Result print = Cli.run("schema", "print", "--schema", "orders_x", "--store", url);
        assertThat(print.code()).as(print.toString()).isZero();
        assertThat(print.out()).contains("CREATE SCHEMA IF NOT EXISTS \"orders_x\"", "-- V1__events.sql", "CREATE TABLE \"orders_x\".events");

        Path files = dir.resolve("migrations");
        Cli.Result write = Cli.run("schema", "write", files.toString(), "--store", url);
        assertThat(write.code()).as(write.toString()).isZero();
        try (Stream<Path> written = Files.list(files)) {
            assertThat(written.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrderElementsOf(
                    PostgresSchema.defaults().migrations().stream().map(PostgresSchema.Migration::fileName).toList());
        }
        assertThat(Files.readString(files.resolve("V1__events.sql"))).startsWith("CREATE SCHEMA IF NOT EXISTS \"relato\"");
        Cli.Result single = Cli.run("schema", "write", files.toString(), "--filename", "V1__relato.sql", "--store", url);
        assertThat(single.code()).as(single.toString()).isZero();
        assertThat(Files.readString(files.resolve("V1__relato.sql"))).contains("-- V6__occurred_at.sql", "CREATE TABLE \"relato\".events");

        String fresh = schema + "_new";
        Cli.Result before = Cli.run("schema", "status", "--json", "--schema", fresh, "--store", url);
        assertThat(before.code()).as(before.toString()).isZero();
        assertThat(before.out()).contains("\"state\":\"pending\"").doesNotContain("\"applied\"");
        Cli.Result migrate = Cli.run("schema", "migrate", "--schema", fresh, "--store", url);
        assertThat(migrate.code()).as(migrate.toString()).isZero();
        assertThat(migrate.out()).contains("V1__events.sql", "applied").doesNotContain("pending");
        Cli.Result after = Cli.run("schema", "status", "--schema", fresh, "--store", url);
        assertThat(after.out()).doesNotContain("pending");
    }

    @Test
    void connectsAndReads() {
        Cli.Result streams = Cli.run("streams", "list", "--schema", schema, "--store", url);
        assertThat(streams.code()).as(streams.toString()).isZero();
        assertThat(streams.out()).contains("Order-o-1", "Order-o-2", "Customer-c-1");
        Cli.Result stream = Cli.run("stream", "read", "Order-o-1", "--backwards", "--json", "--schema", schema, "--store", url);
        assertThat(stream.lines()).hasSize(3);
        assertThat(stream.lines().get(0)).contains("\"type\":\"OrderConfirmed\"");
        Cli.Result log = Cli.run("log", "read", "--type", "OrderPlaced", "--json", "--schema", schema, "--store", url);
        assertThat(log.lines()).hasSize(2);
        Cli.Result projections = Cli.run("projections", "list", "--json", "--schema", schema, "--store", url);
        assertThat(projections.out()).contains("\"name\":\"order-list\"", "\"deadLetters\":1");
        Cli.Result letters = Cli.run("dead-letters", "list", "--json", "--schema", schema, "--store", url);
        assertThat(letters.out()).contains("no such customer: bob");
    }

    @Test
    void projectionsPauseAndResumeReachARunnerOfAnotherProcess() throws Exception {
        try (HikariDataSource pool = TestDatabase.pool("relato-cli-pause", 2);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build()) {
            PauseRoundTrip.run(store, store.checkpoints(), "--schema", schema, "--store", url);
        }
    }

    @Test
    void deadLettersReplayAsksTheRunnerOfAnotherProcess() throws Exception {
        String own = TestDatabase.newSchema("clireplay");
        try (HikariDataSource pool = TestDatabase.pool("relato-cli-replay", 2);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(own).build()) {
            store.migrate();
            Fixture written = Fixture.write(store, store.checkpoints(), store.deadLetters());
            ReplayRoundTrip.run(store, store.checkpoints(), store.deadLetters(), written, "--schema", own, "--store", url);
        } finally {
            TestDatabase.dropSchema(own);
        }
    }

    @Test
    void streamTruncateAndDeleteRemoveEvents() {
        StreamId cart = StreamId.of("Cart", "k-1");
        try (HikariDataSource pool = TestDatabase.pool("relato-cli-test", 2);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build()) {
            store.append(cart, ExpectedVersion.noStream(), List.of(Fixture.event("CartOpened", "{}"),
                    Fixture.event("ItemAdded", "{}"), Fixture.event("ItemAdded", "{}")));
            List<Cli.Result> runs = Cli.runSeveral(
                    List.of("stream", "truncate", "Cart-k-1", "--before", "3", "--yes", "--json", "--schema", schema,
                            "--store", url),
                    List.of("stream", "delete", "Cart-k-1", "--expected-version", "3", "--yes", "--json", "--schema",
                            schema, "--store", url));
            assertThat(runs.get(0).code()).as(runs.get(0).toString()).isZero();
            assertThat(runs.get(0).out()).contains("\"action\":\"truncated\"", "\"removed\":2");
            assertThat(runs.get(1).code()).as(runs.get(1).toString()).isZero();
            assertThat(runs.get(1).out()).contains("\"action\":\"deleted\"", "\"removed\":1");
            assertThat(store.streamVersion(cart)).isZero();
        }
    }

    @Test
    void anUnreachableServerIsOneLineAndExitCode1() {
        Cli.Result result = Cli.run("streams", "list", "--store", "jdbc:postgresql://127.0.0.1:1/none?user=postgres");
        assertThat(result.code()).as(result.toString()).isEqualTo(1);
        assertThat(result.err().lines().filter(l -> l.startsWith("relato: ")).count()).isEqualTo(1);
        assertThat(result.err()).doesNotContain("\tat ");
    }

}
