package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidEventException;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.SchemaPolicy;
import dev.relato.StoreFailureException;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.SubscriptionOptions;
import dev.relato.WrongExpectedVersionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteEventStoreTest {
    private static final StreamId ORDER = StreamId.of("Order", "1");
    private static final StreamId OTHER = StreamId.of("Order", "2");

    @TempDir
    Path dir;
    SqliteEventStore store;

    @BeforeEach
    void open() {
        store = SqliteEventStore.builder().path(dir.resolve("events.db")).maxEventBytes(4096)
                .subscriptionOptions(SubscriptionOptions.DEFAULT.withPollInterval(Duration.ofMillis(50))).build();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static EventData event(String type, int n) {
        return EventData.of(type, "{\"n\":" + n + "}");
    }

    static List<EventData> events(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> event("Happened", i)).toList();
    }

    @Test
    void appendsAndReadsBackEverything() {
        EventData withMetadata = new EventData(UUID.randomUUID(), "OrderPlaced", 2, "{\"total\":12.5}",
                Metadata.empty().withCorrelationId("c-1").with("user", "ann"));
        Instant before = Instant.now();

        AppendResult result = store.append(ORDER, ExpectedVersion.noStream(), List.of(withMetadata));

        assertThat(result).isEqualTo(new AppendResult(ORDER, 1, 1, 1, 1, false, result.events()));
        RecordedEvent read = store.read(ORDER).get(0);
        assertThat(read.eventId()).isEqualTo(withMetadata.eventId());
        assertThat(read.streamId()).isEqualTo(ORDER);
        assertThat(read.streamVersion()).isEqualTo(1);
        assertThat(read.position()).isEqualTo(1);
        assertThat(read.type()).isEqualTo("OrderPlaced");
        assertThat(read.schemaVersion()).isEqualTo(2);
        assertThat(read.payload()).isEqualTo("{\"total\":12.5}");
        assertThat(read.metadata()).isEqualTo(withMetadata.metadata());
        assertThat(read.recordedAt()).isAfterOrEqualTo(before).isBeforeOrEqualTo(Instant.now());
        assertThat(store.streamVersion(ORDER)).isEqualTo(1);
        assertThat(store.exists(OTHER)).isFalse();
        assertThat(store.headPosition()).isEqualTo(1);
    }

    @Test
    void multiEventAppendGetsConsecutiveVersionsAndPositions() {
        store.append(OTHER, ExpectedVersion.any(), events(2));
        AppendResult result = store.append(ORDER, ExpectedVersion.noStream(), events(3));

        assertThat(result).isEqualTo(new AppendResult(ORDER, 1, 3, 3, 5, false, result.events()));
        assertThat(store.read(ORDER)).extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L, 3L);
        assertThat(store.read(ORDER)).extracting(RecordedEvent::position).containsExactly(3L, 4L, 5L);
    }

    @Test
    void checksEveryKindOfExpectedVersion() {
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.streamExists(), events(1)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.stream()).isEqualTo(ORDER);
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.streamExists());
                    assertThat(e.actualVersion()).isZero();
                });
        store.append(ORDER, ExpectedVersion.noStream(), events(2));
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.noStream(), events(1)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> assertThat(e.actualVersion()).isEqualTo(2));
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.exactly(1), events(1)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> assertThat(e.actualVersion()).isEqualTo(2));
        assertThat(store.append(ORDER, ExpectedVersion.exactly(2), events(1)).lastVersion()).isEqualTo(3);
        assertThat(store.append(ORDER, ExpectedVersion.streamExists(), events(1)).lastVersion()).isEqualTo(4);
        assertThat(store.append(ORDER, ExpectedVersion.any(), events(1)).lastVersion()).isEqualTo(5);
        assertThat(store.streamVersion(ORDER)).isEqualTo(5);
    }

    @Test
    void retryOfTheSameAppendReturnsTheOriginalResultAndWritesNothing() {
        store.append(ORDER, ExpectedVersion.noStream(), events(1));
        List<EventData> batch = events(2);
        AppendResult original = store.append(ORDER, ExpectedVersion.exactly(1), batch);
        store.append(ORDER, ExpectedVersion.exactly(3), events(1));

        AppendResult exactRetry = store.append(ORDER, ExpectedVersion.exactly(1), batch);
        AppendResult anyRetry = store.append(ORDER, ExpectedVersion.any(), batch);

        AppendResult retried = new AppendResult(ORDER, original.firstVersion(), original.lastVersion(),
                original.firstPosition(), original.lastPosition(), true, original.events());
        assertThat(exactRetry).isEqualTo(retried);
        assertThat(anyRetry).isEqualTo(retried);
        assertThat(store.read(ORDER)).hasSize(4);
        assertThat(store.headPosition()).isEqualTo(4);
    }

    @Test
    void sameIdsElsewhereAreDuplicatesAndWriteNothing() {
        List<EventData> batch = events(2);
        store.append(ORDER, ExpectedVersion.noStream(), batch);

        assertThatThrownBy(() -> store.append(OTHER, ExpectedVersion.any(), batch))
                .isInstanceOfSatisfying(DuplicateEventException.class, e -> {
                    assertThat(e.eventId()).isEqualTo(batch.get(0).eventId());
                    assertThat(e.stream()).isEqualTo(OTHER);
                });
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.exactly(2), batch))
                .isInstanceOf(DuplicateEventException.class);
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.any(), List.of(batch.get(1))))
                .isInstanceOf(DuplicateEventException.class).hasMessageContaining("version 2");
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.any(), List.of(batch.get(0))))
                .as("only part of the batch").isInstanceOf(DuplicateEventException.class);
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.any(), List.of(batch.get(0), batch.get(1),
                event("New", 3)))).as("the batch plus a new event").isInstanceOf(DuplicateEventException.class);
        EventData fresh = event("New", 4);
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.any(), List.of(fresh, batch.get(1))))
                .as("a new event, then a stored one")
                .isInstanceOfSatisfying(DuplicateEventException.class,
                        e -> assertThat(e.eventId()).isEqualTo(batch.get(1).eventId()));

        assertThat(store.read(ORDER)).hasSize(2);
        assertThat(store.exists(OTHER)).isFalse();
        assertThat(store.headPosition()).isEqualTo(2);
        assertThat(store.append(ORDER, ExpectedVersion.exactly(2), List.of(fresh)).lastPosition())
                .as("the failed appends left no gap in versions").isGreaterThan(2);
        assertThat(store.streamVersion(ORDER)).isEqualTo(3);
    }

    @Test
    void readsRangesBackwardsLimitsAndAsOf() throws InterruptedException {
        store.append(ORDER, ExpectedVersion.noStream(), events(3));
        Instant afterThree = Instant.now();
        Thread.sleep(2);
        store.append(ORDER, ExpectedVersion.exactly(3), events(2));

        assertThat(versions(store.read(ORDER, StreamRead.forwards().from(2).to(4)))).containsExactly(2L, 3L, 4L);
        assertThat(versions(store.read(ORDER, StreamRead.forwards().from(2).limit(2)))).containsExactly(2L, 3L);
        assertThat(versions(store.read(ORDER, StreamRead.backwards()))).containsExactly(5L, 4L, 3L, 2L, 1L);
        assertThat(versions(store.read(ORDER, StreamRead.backwards().from(4).to(2)))).containsExactly(4L, 3L, 2L);
        assertThat(versions(store.read(ORDER, StreamRead.backwards().limit(1)))).containsExactly(5L);
        assertThat(versions(store.read(ORDER, StreamRead.forwards().asOf(afterThree)))).containsExactly(1L, 2L, 3L);
        assertThat(versions(store.read(ORDER, StreamRead.backwards().asOf(afterThree).limit(1)))).containsExactly(3L);
        assertThat(store.read(ORDER, StreamRead.forwards().from(6))).isEmpty();
        assertThat(store.read(StreamId.of("Order", "missing"))).isEmpty();
    }

    private static List<Long> versions(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::streamVersion).toList();
    }

    @Test
    void readsTheLogInPagesWithFiltersAndLimits() {
        StreamId customer = StreamId.of("Customer", "7");
        for (int i = 0; i < 5; i++) {
            store.append(ORDER, ExpectedVersion.any(), List.of(event("OrderPlaced", i), event("OrderPaid", i)));
            store.append(customer, ExpectedVersion.any(), List.of(event("CustomerSeen", i)));
        }

        try (Stream<RecordedEvent> all = store.readAll(GlobalRead.fromStart().batchSize(2))) {
            assertThat(all.map(RecordedEvent::position).toList())
                    .isEqualTo(IntStream.rangeClosed(1, 15).mapToObj(Long::valueOf).toList());
        }
        try (Stream<RecordedEvent> after = store.readAll(GlobalRead.after(10).batchSize(3).limit(4))) {
            assertThat(after.map(RecordedEvent::position).toList()).containsExactly(11L, 12L, 13L, 14L);
        }
        try (Stream<RecordedEvent> customers = store.readAll(GlobalRead.fromStart().filter(EventFilter.categories("Customer")))) {
            assertThat(customers.map(e -> e.streamId()).collect(Collectors.toSet())).containsExactly(customer);
        }
        try (Stream<RecordedEvent> paid = store.readAll(GlobalRead.fromStart().batchSize(1)
                .filter(EventFilter.categories("Order", "Customer").andTypes(List.of("OrderPaid", "CustomerSeen"))))) {
            assertThat(paid.map(RecordedEvent::type).toList()).hasSize(10).doesNotContain("OrderPlaced");
        }
        assertThat(store.readAll(GlobalRead.after(15))).isEmpty();
    }

    @Test
    void subscriptionCatchesUpThenFollowsLiveAppends() throws Exception {
        store.append(ORDER, ExpectedVersion.any(), events(3));
        List<RecordedEvent> received = new CopyOnWriteArrayList<>();
        List<Long> caughtUpAt = new CopyOnWriteArrayList<>();
        SubscriptionListener listener = new SubscriptionListener() {
            @Override
            public void onEvent(RecordedEvent event) {
                received.add(event);
            }

            @Override
            public void onCaughtUp(long position) {
                caughtUpAt.add(position);
            }
        };
        try (Subscription subscription = store.subscribe(1, EventFilter.all(), listener)) {
            assertThat(subscription.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            awaitSize(caughtUpAt, 1);
            assertThat(caughtUpAt).containsExactly(3L);
            store.append(OTHER, ExpectedVersion.any(), events(2));
            awaitSize(received, 4);
            assertThat(received).extracting(RecordedEvent::position).containsExactly(2L, 3L, 4L, 5L);
            assertThat(subscription.isRunning()).isTrue();
        }
    }

    static void awaitSize(List<?> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(list).hasSize(size);
    }

    @Test
    void subscriptionSeesAppendsOfAnotherStoreOnTheSameFileByPolling() throws Exception {
        List<RecordedEvent> received = new CopyOnWriteArrayList<>();
        try (SqliteEventStore otherProcess = SqliteEventStore.open(store.path());
             Subscription subscription = store.subscribe(0, EventFilter.categories("Order"), received::add)) {
            assertThat(subscription.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            otherProcess.append(ORDER, ExpectedVersion.noStream(), events(2));
            otherProcess.append(StreamId.of("Customer", "1"), ExpectedVersion.noStream(), events(1));
            otherProcess.append(OTHER, ExpectedVersion.noStream(), events(1));
            awaitSize(received, 3);
            assertThat(received).extracting(RecordedEvent::position).containsExactly(1L, 2L, 4L);
        }
    }

    @Test
    void closingTheStoreStopsItsSubscriptions() throws Exception {
        Subscription subscription = store.subscribe(0, EventFilter.all(), e -> { });
        assertThat(subscription.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        store.close();
        assertThat(subscription.isRunning()).isFalse();
        assertThatThrownBy(() -> store.headPosition()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void rejectsBadInputBeforeWritingAnything() {
        store.append(ORDER, ExpectedVersion.noStream(), events(1));
        String big = "{\"data\":\"" + "x".repeat(5000) + "\"}";

        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.any(), List.of(event("Ok", 1),
                EventData.of("Huge", big)))).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("Huge").hasMessageContaining("4096");
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.any(), List.of()))
                .isInstanceOf(InvalidEventException.class);
        EventData twice = event("Twice", 1);
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.any(), List.of(twice, twice)))
                .isInstanceOf(InvalidEventException.class);

        assertThat(store.streamVersion(ORDER)).isEqualTo(1);
        assertThat(store.headPosition()).isEqualTo(1);
    }

    @Test
    void rejectsInvalidTablePrefixes() {
        assertThatThrownBy(() -> SqliteEventStore.builder().tablePrefix("bad-prefix"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad-prefix");
        assertThatThrownBy(() -> SqliteEventStore.builder().tablePrefix("x; DROP TABLE y"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqliteEventStore.builder().tablePrefix("1abc"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqliteEventStore.builder().tablePrefix("sqlite_x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserves");
    }

    @Test
    void storesWithDifferentPrefixesShareAFileIndependently() {
        try (SqliteEventStore plain = SqliteEventStore.builder().path(store.path()).tablePrefix("").build();
             SqliteEventStore tenant = SqliteEventStore.builder().path(store.path()).tablePrefix("tenant_b_").build()) {
            plain.append(ORDER, ExpectedVersion.noStream(), events(2));
            tenant.append(ORDER, ExpectedVersion.noStream(), events(1));

            assertThat(plain.streamVersion(ORDER)).isEqualTo(2);
            assertThat(tenant.streamVersion(ORDER)).isEqualTo(1);
            assertThat(store.streamVersion(ORDER)).isZero();
        }
    }

    @Test
    void refusesTablesWrittenByANewerSchemaVersion() throws Exception {
        Path file = store.path();
        store.inTransaction(tx -> {
            try (var statement = tx.connection().createStatement()) {
                statement.execute("INSERT INTO relato_schema_migrations (version, applied_at) VALUES (99, 0)");
            }
        });
        store.close();

        assertThatThrownBy(() -> SqliteEventStore.open(file)).isInstanceOf(StoreFailureException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("schema version 99");
    }

    @Test
    void theSchemaPolicyMigratesValidatesOrLeavesTheTablesAlone() {
        Path file = dir.resolve("policy.db");
        assertThatThrownBy(() -> SqliteEventStore.builder().path(file).schemaPolicy(SchemaPolicy.VALIDATE).build())
                .isInstanceOf(StoreFailureException.class).hasMessageContaining(file.toString())
                .hasMessageContaining("schema version 0").hasMessageContaining("SchemaPolicy.MIGRATE");

        try (SqliteEventStore external = SqliteEventStore.builder().path(file).schemaPolicy(SchemaPolicy.EXTERNAL)
                .build()) {
            assertThatThrownBy(() -> external.append(ORDER, ExpectedVersion.noStream(), events(1)))
                    .isInstanceOf(StoreFailureException.class).hasMessageContaining("no such table");
        }

        try (SqliteEventStore migrated = SqliteEventStore.builder().path(file).schemaPolicy(SchemaPolicy.MIGRATE)
                .build()) {
            migrated.append(ORDER, ExpectedVersion.noStream(), events(2));
        }
        try (SqliteEventStore validated = SqliteEventStore.builder().path(file).schemaPolicy(SchemaPolicy.VALIDATE)
                .build()) {
            assertThat(validated.streamVersion(ORDER)).isEqualTo(2);
        }
    }

    @Test
    void readModelsAreQueriedOnTheStoresReadConnections() {
        try (SqliteEventStore one = SqliteEventStore.builder().path(dir.resolve("read-model.db")).readConnections(1)
                .build()) {
            one.inTransaction(tx -> {
                try (var statement = tx.connection().createStatement()) {
                    statement.execute("CREATE TABLE order_totals (customer TEXT PRIMARY KEY, total INTEGER)");
                    statement.execute("INSERT INTO order_totals VALUES ('alice', 25), ('bob', 7)");
                }
            });

            SqliteEventStore.Query<Connection> itself = connection -> connection;
            Connection first = one.query(itself);
            assertThat(singleNumber(one, "SELECT sum(total) FROM order_totals")).isEqualTo(32);
            assertThat(one.query(itself)).as("the pooled connection, not a new one").isSameAs(first);

            assertThatThrownBy(() -> one.query(connection -> {
                try (var statement = connection.createStatement()) {
                    return statement.executeUpdate("DELETE FROM order_totals");
                }
            })).isInstanceOf(StoreFailureException.class).hasMessageContaining("query");
            assertThat(singleNumber(one, "SELECT count(*) FROM order_totals")).isEqualTo(2);
        }
    }

    private static long singleNumber(SqliteEventStore store, String select) {
        return store.query(connection -> {
            try (var statement = connection.createStatement(); var rows = statement.executeQuery(select)) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    @Test
    void pathsThatCannotBeOpenedFailWithTheirName() throws IOException {
        Path missingDir = dir.resolve("no-such-dir").resolve("events.db");
        assertThatThrownBy(() -> SqliteEventStore.open(missingDir)).isInstanceOf(StoreFailureException.class)
                .hasMessageContaining(missingDir.toString()).hasMessageContaining("does not exist");

        assertThatThrownBy(() -> SqliteEventStore.open(dir)).isInstanceOf(StoreFailureException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("directory");

        Path notADatabase = Files.writeString(dir.resolve("notes.txt"), "this is not a database file, just text. ".repeat(50));
        assertThatThrownBy(() -> SqliteEventStore.open(notADatabase)).isInstanceOf(StoreFailureException.class)
                .hasMessageContaining(notADatabase.toString()).hasMessageContaining("SQLite database");
        assertThat(Files.readString(notADatabase)).startsWith("this is not a database");

        assertThatThrownBy(() -> SqliteEventStore.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("path");
    }

    @Test
    void appendsByAnotherStoreOnTheFileWakeSubscriptionsLongBeforeThePollInterval() throws Exception {
        // This store's subscriptions poll once an hour: only the head watch brings another writer's events in time.
        SubscriptionOptions hourly = SubscriptionOptions.DEFAULT.withPollInterval(Duration.ofHours(1));
        List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
        try (SqliteEventStore watching = SqliteEventStore.builder().path(dir.resolve("events.db"))
                .subscriptionOptions(hourly).build();
             Subscription subscription = watching.subscribe(0, EventFilter.all(), seen::add)) {
            assertThat(subscription.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            String thread = "relato-sqlite-head-watcher-events.db";
            assertThat(threadAlive(thread)).isTrue();
            for (int i = 1; i <= 3; i++) {
                store.append(ORDER, ExpectedVersion.exactly(i - 1), List.of(event("Happened", i)));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (seen.size() < i && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(seen).hasSize(i);
            }
            assertThat(watching.awaitHead(2, Duration.ofSeconds(30))).isEqualTo(3);
            subscription.close();
            watching.close();
            assertThat(threadAlive(thread)).isFalse();
        }
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
