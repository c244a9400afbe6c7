package dev.relato.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.privacy.PersonalFields;
import dev.relato.sqlite.SqliteDeadLetterStore;
import dev.relato.sqlite.SqliteEventStore;
import java.io.BufferedReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command of the jar, run as a process against a SQLite file with known events. */
class CliSqliteIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path file;
    static String store;
    static Fixture fixture;

    @BeforeAll
    static void writeEvents() {
        file = dir.resolve("orders.db");
        store = "sqlite:" + file;
        try (SqliteEventStore events = SqliteEventStore.open(file)) {
            fixture = Fixture.write(events, events.checkpoints(), new SqliteDeadLetterStore(events));
        }
    }


    static List<JsonNode> json(Cli.Result result) throws Exception {
        assertThat(result.code()).as(result.toString()).isZero();
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : result.lines()) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    @Test
    void helpRunsFromTheJar() {
        Cli.Result result = Cli.run("stream", "read", "--help");
        assertThat(result.code()).as(result.toString()).isZero();
        assertThat(result.out()).contains("Usage: relato stream read", "--as-of", "Example");
    }

    @Test
    void streamsListShowsStreamsInCreationOrderAsATableOrJson() throws Exception {
        List<Cli.Result> runs = Cli.runSeveral(
                List.of("streams", "list", "--store", store),
                List.of("streams", "list", "--category", "Order", "--json", "--store", store),
                List.of("streams", "list", "--limit", "1", "--json", "--after",
                        Long.toString(fixture.o1.get(0).position()), "--store", store),
                List.of("streams", "list", "--prefix-id", "c-", "--json", "--store", store));
        Cli.Result table = runs.get(0);
        assertThat(table.code()).as(table.toString()).isZero();
        assertThat(table.lines().get(0)).startsWith("STREAM").contains("VERSION");
        assertThat(table.lines()).hasSize(5);
        assertThat(table.lines().get(2)).startsWith("Order-o-1 ").contains(" 3 ");

        List<JsonNode> orders = json(runs.get(1));
        assertThat(orders).extracting(n -> n.get("stream").asText()).containsExactly("Order-o-1", "Order-o-2");
        assertThat(orders.get(0).get("version").asLong()).isEqualTo(3);

        assertThat(json(runs.get(2))).extracting(n -> n.get("stream").asText()).containsExactly("Order-o-2");
        assertThat(json(runs.get(3))).extracting(n -> n.get("stream").asText()).containsExactly("Customer-c-1");
    }

    @Test
    void streamReadReadsRangesBackwardsAndAsOf() throws Exception {
        Instant asOf = fixture.o1.get(1).recordedAt();
        List<Cli.Result> runs = Cli.runSeveral(
                List.of("stream", "read", "Order-o-1", "--json", "--store", store),
                List.of("stream", "read", "Order-o-1", "--from", "2", "--to", "3", "--json", "--store", store),
                List.of("stream", "read", "Order-o-1", "--backwards", "--limit", "2", "--json", "--store", store),
                List.of("stream", "read", "Order-o-1", "--as-of", asOf.toString(), "--json", "--store", store),
                List.of("stream", "read", "Order-o-1", "--store", store));
        List<JsonNode> all = json(runs.get(0));
        assertThat(all).extracting(n -> n.get("version").asLong()).containsExactly(1L, 2L, 3L);
        assertThat(all.get(1).get("payload").get("sku").asText()).isEqualTo("book");
        assertThat(all.get(1).get("metadata").get("$correlationId").asText()).isEqualTo("corr-1");
        assertThat(all.get(0).get("eventId").asText()).isEqualTo(fixture.o1.get(0).eventId().toString());

        assertThat(json(runs.get(1))).extracting(n -> n.get("type").asText()).containsExactly("OrderLineAdded", "OrderConfirmed");
        assertThat(json(runs.get(2))).extracting(n -> n.get("version").asLong()).containsExactly(3L, 2L);

        long expected = fixture.o1.stream().filter(e -> !e.recordedAt().isAfter(asOf)).count();
        assertThat(json(runs.get(3))).hasSize((int) expected);

        Cli.Result table = runs.get(4);
        assertThat(table.lines().get(0)).startsWith("POSITION").contains("STREAM", "VERSION", "TYPE", "PAYLOAD");
        assertThat(table.out()).contains("OrderLineAdded", "{\"sku\":\"book\",\"quantity\":2}");
    }

    @Test
    void logReadFiltersByCategoryTypeAndPosition() throws Exception {
        List<Cli.Result> runs = Cli.runSeveral(
                List.of("log", "read", "--json", "--store", store),
                List.of("log", "read", "--json", "--category", "Customer", "--store", store),
                List.of("log", "read", "--json", "--type", "OrderPlaced", "--store", store),
                List.of("log", "read", "--json", "--after", Long.toString(fixture.o1.get(2).position()), "--store", store),
                List.of("log", "read", "--json", "--limit", "2", "--store", store));
        assertThat(json(runs.get(0))).hasSize(5);
        assertThat(json(runs.get(1))).extracting(n -> n.get("type").asText()).containsExactly("CustomerRegistered");
        assertThat(json(runs.get(2))).extracting(n -> n.get("stream").asText()).containsExactly("Order-o-1", "Order-o-2");
        assertThat(json(runs.get(3))).hasSize(2);
        assertThat(json(runs.get(4))).hasSize(2);
    }

    @Test
    void logTailShowsTheLastEventsAndFollowsNewOnes() throws Exception {
        assertThat(json(Cli.run("log", "tail", "--last", "2", "--json", "--store", store)))
                .extracting(n -> n.get("stream").asText()).containsExactly("Order-o-2", "Customer-c-1");

        Path followed = dir.resolve("followed.db");
        try (SqliteEventStore events = SqliteEventStore.open(followed)) {
            events.append(StreamId.of("Order", "f-1"), ExpectedVersion.any(), List.of(Fixture.event("OrderPlaced", "{}")));
            Process tail = Cli.start(List.of(), "log", "tail", "--follow", "--json", "--type", "OrderShipped",
                    "--limit", "2", "--store", "sqlite:" + followed);
            try (BufferedReader out = Cli.output(tail)) {
                for (int i = 1; i <= 2; i++) {
                    events.append(StreamId.of("Order", "f-1"), ExpectedVersion.any(),
                            List.of(Fixture.event("OrderLineAdded", "{}"), Fixture.event("OrderShipped", "{\"n\":" + i + "}")));
                    String line = out.readLine();
                    assertThat(line).as("event %d followed", i).isNotNull();
                    JsonNode node = JSON.readTree(line);
                    assertThat(node.get("type").asText()).isEqualTo("OrderShipped");
                    assertThat(node.get("payload").get("n").asInt()).isEqualTo(i);
                }
                assertThat(tail.waitFor(60, TimeUnit.SECONDS)).as("stops after --limit events").isTrue();
                assertThat(tail.exitValue()).isZero();
            } finally {
                tail.destroyForcibly();
            }
        }
    }

    @Test
    void projectionsListStatusResetAndRebuild() throws Exception {
        Path copy = copyOfStore("projections.db");
        String at = "sqlite:" + copy;
        List<JsonNode> list = json(Cli.run("projections", "list", "--json", "--store", at));
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("name").asText()).isEqualTo(Fixture.PROJECTION);
        assertThat(list.get(0).get("position").asLong()).isEqualTo(fixture.o1.get(2).position());
        assertThat(list.get(0).get("head").asLong()).isEqualTo(fixture.c1.position());
        assertThat(list.get(0).get("deadLetters").asInt()).isEqualTo(1);

        Cli.Result status = Cli.run("projections", "status", Fixture.PROJECTION, "--store", at);
        assertThat(status.code()).as(status.toString()).isZero();
        assertThat(status.out()).contains("order-list", "BEHIND");

        long to = fixture.o1.get(0).position();
        assertThat(json(Cli.run("projections", "reset", Fixture.PROJECTION, "--to", Long.toString(to), "--json",
                "--store", at)).get(0).get("position").asLong()).isEqualTo(to);
        assertThat(json(Cli.run("projections", "rebuild", Fixture.PROJECTION, "--json", "--store", at)).get(0)
                .get("position").asLong()).isZero();
        try (SqliteEventStore events = SqliteEventStore.open(copy)) {
            assertThat(events.checkpoints().load(Fixture.PROJECTION)).isZero();
        }

        Cli.Result unknown = Cli.run("projections", "status", "nope", "--store", at);
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("relato: no projection 'nope': no checkpoint has that name\n");
        Cli.Result beyond = Cli.run("projections", "reset", Fixture.PROJECTION, "--to", "999999999", "--store", at);
        assertThat(beyond.code()).isEqualTo(1);
        assertThat(beyond.err()).contains("outside the log");
    }

    @Test
    void projectionsPauseAndResumeReachARunnerOfAnotherProcess() throws Exception {
        Path copy = copyOfStore("paused.db");
        try (SqliteEventStore events = SqliteEventStore.open(copy)) {
            PauseRoundTrip.run(events, events.checkpoints(), "--store", "sqlite:" + copy);
        }
    }

    @Test
    void deadLettersReplayAsksTheRunnerOfAnotherProcess() throws Exception {
        Path copy = copyOfStore("replayed.db");
        try (SqliteEventStore events = SqliteEventStore.open(copy)) {
            ReplayRoundTrip.run(events, events.checkpoints(), events.deadLetters(), fixture, "--store", "sqlite:" + copy);
        }
    }

    @Test
    void deadLettersListShowAndDiscard() throws Exception {
        Path copy = copyOfStore("dead-letters.db");
        String at = "sqlite:" + copy;
        List<JsonNode> list = json(Cli.run("dead-letters", "list", "--json", "--store", at));
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("stream").asText()).isEqualTo("Order-o-2");
        assertThat(list.get(0).get("error").asText()).contains("no such customer: bob");
        assertThat(json(Cli.run("dead-letters", "list", "--projection", Fixture.PROJECTION, "--json", "--store", at)))
                .hasSize(1);

        String position = Long.toString(fixture.o2.position());
        Cli.Result show = Cli.run("dead-letters", "show", Fixture.PROJECTION, position, "--store", at);
        assertThat(show.code()).as(show.toString()).isZero();
        assertThat(show.out()).contains("stack trace:", "java.lang.IllegalStateException: no such customer: bob");

        Cli.Result discard = Cli.run("dead-letters", "discard", Fixture.PROJECTION, position, "--store", at);
        assertThat(discard.code()).as(discard.toString()).isZero();
        assertThat(discard.out()).contains("discarded");
        Cli.Result none = Cli.run("dead-letters", "list", "--store", at);
        assertThat(none.out()).contains("(no dead letters)");
        Cli.Result again = Cli.run("dead-letters", "show", Fixture.PROJECTION, position, "--store", at);
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("has no dead letter at position " + position);
    }

    @Test
    void consoleServesThePagesOnLoopbackReadOnly() throws Exception {
        Process console = Cli.start(List.of(), "console", "--port", "0", "--store", store);
        try (BufferedReader out = Cli.output(console)) {
            String line = out.readLine();
            assertThat(line).as("the console's first line").isNotNull();
            Matcher address = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+)/ \\(read-only\\)$").matcher(line);
            assertThat(address.find()).as(line).isTrue();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> overview = http.send(HttpRequest.newBuilder(URI.create(address.group(1) + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(overview.statusCode()).isEqualTo(200);
            assertThat(overview.body()).contains("<title>Overview · Relato console</title>", "id=\"head-position\">"
                    + fixture.c1.position() + "<");
            HttpResponse<String> write = http.send(HttpRequest.newBuilder(URI.create(address.group(1)
                    + "/projections/order-list/rebuild")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(write.statusCode()).isEqualTo(403);
        } finally {
            console.destroy();
            assertThat(console.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void streamDeleteTombstoneAndTruncateNeedYesAndRemoveEvents() throws Exception {
        Path copy = copyOfStore("removal.db");
        String at = "sqlite:" + copy;
        List<Cli.Result> runs = Cli.runSeveral(
                List.of("stream", "delete", "Order-o-1", "--store", at),
                List.of("stream", "truncate", "Order-o-1", "--before", "3", "--store", at),
                List.of("stream", "tombstone", "Customer-c-1", "--store", at),
                List.of("stream", "truncate", "Order-o-1", "--before", "3", "--yes", "--json", "--store", at),
                List.of("stream", "delete", "Order-o-1", "--expected-version", "2", "--yes", "--store", at),
                List.of("stream", "delete", "Order-o-1", "--expected-version", "3", "--yes", "--json", "--store", at),
                List.of("stream", "delete", "Order-o-1", "--yes", "--store", at),
                List.of("stream", "tombstone", "Customer-c-1", "--yes", "--store", at),
                List.of("stream", "truncate", "Order-o-2", "--before", "0", "--yes", "--store", at),
                List.of("stream", "delete", "Order-o-2", "--store", "sqlite:" + dir.resolve("missing.db")));
        expect(runs.get(0), 2, "stream delete destroys data for good: add --yes to confirm");
        expect(runs.get(1), 2, "stream truncate destroys data for good: add --yes to confirm");
        expect(runs.get(2), 2, "stream tombstone destroys data for good: add --yes to confirm");
        assertThat(json(runs.get(3))).singleElement().satisfies(n -> {
            assertThat(n.get("action").asText()).isEqualTo("truncated");
            assertThat(n.get("removed").asLong()).isEqualTo(2);
        });
        expect(runs.get(4), 1, "Order-o-1");
        assertThat(json(runs.get(5)).get(0).get("removed").asLong()).isEqualTo(1);
        expect(runs.get(6), 1, "no stream 'Order-o-1'");
        assertThat(runs.get(7).code()).as(runs.get(7).toString()).isZero();
        assertThat(runs.get(7).out()).contains("Customer-c-1", "tombstoned");
        expect(runs.get(8), 2, "version");
        expect(runs.get(9), 2, "add --yes to confirm"); // refused before the (missing) store is opened

        try (SqliteEventStore events = SqliteEventStore.open(copy)) {
            assertThat(events.streamVersion(Fixture.O1)).isZero();
            assertThat(events.isTombstoned(Fixture.C1)).isTrue();
            assertThat(events.read(Fixture.O2)).hasSize(1);
            assertThat(events.readAll(GlobalRead.fromStart()).toList()).extracting(RecordedEvent::streamId)
                    .containsExactly(Fixture.O2);
        }
    }

    @Test
    void forgetErasesTheSubjectsPersonalFields() throws Exception {
        Path db = dir.resolve("privacy.db");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path kekFile = dir.resolve("kek");
        Files.writeString(kekFile, Base64.getEncoder().encodeToString(key));
        Path wrongKek = dir.resolve("wrong-kek");
        Files.writeString(wrongKek, Base64.getEncoder().encodeToString(new byte[32]));
        StreamId alice = StreamId.of("Signup", "alice");
        StreamId bob = StreamId.of("Signup", "bob");
        StreamId carol = StreamId.of("Signup", "carol");
        try (SqliteEventStore events = SqliteEventStore.open(db)) {
            PersonalDataStore personal = personal(events, key);
            personal.append(alice, ExpectedVersion.noStream(), List.of(Fixture.event("LegacySignup",
                    "{\"user\":{\"id\":\"customer-42\",\"email\":\"alice@example.com\"}}")));
            personal.append(bob, ExpectedVersion.noStream(), List.of(Fixture.event("LegacySignup",
                    "{\"user\":{\"id\":\"customer-7\",\"email\":\"bob@example.com\"}}")));
            personal.append(carol, ExpectedVersion.noStream(), List.of(Fixture.event("LegacySignup",
                    "{\"user\":{\"id\":\"customer-9\",\"email\":\"carol@example.com\"}}")));
        }
        Path pkcs12 = dir.resolve("kek.p12");
        char[] password = "store-password".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, password);
        keys.setEntry("relato", new KeyStore.SecretKeyEntry(new SecretKeySpec(key, "AES")),
                new KeyStore.PasswordProtection(password));
        try (OutputStream out = Files.newOutputStream(pkcs12)) {
            keys.store(out, password);
        }
        String at = "sqlite:" + db;
        List<Cli.Result> runs = Cli.runSeveralWith(Map.of("RELATO_CLI_TEST_P12_PASSWORD", new String(password)),
                List.of("forget", "customer-42", "--kek-file", kekFile.toString(), "--store", at),
                List.of("forget", "customer-42", "--yes", "--store", at),
                List.of("forget", "customer-42", "--kek-env", "RELATO_CLI_TEST_NO_SUCH_VARIABLE", "--yes", "--store", at),
                List.of("forget", "customer-42", "--kek-file", wrongKek.toString(), "--yes", "--store", at),
                List.of("forget", "customer-42", "--kek-file", kekFile.toString(), "--yes", "--json", "--store", at),
                List.of("forget", "customer-9", "--kek-pkcs12", pkcs12.toString(), "--kek-alias", "relato",
                        "--kek-password-env", "RELATO_CLI_TEST_P12_PASSWORD", "--yes", "--json", "--store", at));
        expect(runs.get(0), 2, "forget destroys data for good: add --yes to confirm");
        expect(runs.get(1), 2, "exactly one of --kek-env, --kek-file or --kek-pkcs12");
        expect(runs.get(2), 1, "environment variable RELATO_CLI_TEST_NO_SUCH_VARIABLE is not set");
        expect(runs.get(3), 1, "key file " + wrongKek);
        assertThat(json(runs.get(4))).singleElement()
                .satisfies(n -> assertThat(n.get("keysDestroyed").asInt()).isEqualTo(1));
        assertThat(json(runs.get(5))).singleElement()
                .satisfies(n -> assertThat(n.get("keysDestroyed").asInt()).isEqualTo(1));

        try (SqliteEventStore events = SqliteEventStore.open(db)) {
            PersonalDataStore personal = personal(events, key);
            RecordedEvent forgotten = personal.read(alice).get(0);
            assertThat(PersonalDataStore.erasedFields(forgotten)).contains("user.email");
            assertThat(JSON.readTree(forgotten.payload()).get("user").get("email").asText()).isEqualTo("[erased]");
            RecordedEvent kept = personal.read(bob).get(0);
            assertThat(PersonalDataStore.isErased(kept)).isFalse();
            assertThat(JSON.readTree(kept.payload()).get("user").get("email").asText()).isEqualTo("bob@example.com");
            assertThat(PersonalDataStore.erasedFields(personal.read(carol).get(0))).contains("user.email");
        }
    }

    private static PersonalDataStore personal(SqliteEventStore events, byte[] key) {
        return PersonalDataStore.builder(events).keyStore(events.dataKeys())
                .keyEncryptionKey(KeyEncryptionKey.of(key, "test key"))
                .policy("LegacySignup", PersonalFields.of("user.id", "user.email")).build();
    }

    @Test
    void schemaCommandsSayTheyAreForPostgres() {
        Cli.Result result = Cli.run("schema", "status", "--store", store);
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("relato: schema commands are for PostgreSQL stores: a sqlite store "
                + "migrates its file itself when opened\n");
    }

    @Test
    void badInputGetsOneLineAndExitCode() {
        expect(Cli.run("streams", "list", "--store", "mysql://localhost/x"), 2, "unknown store location 'mysql://localhost/x'");
        expect(Cli.run("stream", "read", "Order-nope", "--store", store), 1, "no stream 'Order-nope'");
        expect(Cli.run("stream", "read", "Order-o-1", "--as-of", "yesterday", "--store", store), 2,
                "--as-of 'yesterday' is not an ISO-8601 instant");
        expect(Cli.run("streams", "list"), 2, "Missing required option: '--store=LOCATION'");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result quiet = Cli.run("stream", "read", "Order-nope", "--store", store);
        assertThat(quiet.err().lines()).hasSize(1);
        Cli.Result verbose = Cli.run("stream", "read", "Order-nope", "--verbose", "--store", store);
        assertThat(verbose.code()).isEqualTo(1);
        assertThat(verbose.err()).contains("no stream 'Order-nope'", "\tat dev.relato.cli.");
    }

    static void expect(Cli.Result result, int code, String error) {
        assertThat(result.code()).as(result.toString()).isEqualTo(code);
        assertThat(result.err()).as(result.toString()).contains(error).doesNotContain("\tat ");
        assertThat(result.err().lines().filter(l -> l.startsWith("relato: ")).count()).as(result.toString()).isEqualTo(1);
    }

    private static Path copyOfStore(String name) throws Exception {
        Path copy = dir.resolve(name);
        Files.copy(file, copy);
        return copy;
    }

}
