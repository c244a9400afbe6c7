package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidEventException;
import dev.relato.InvalidInputException;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionOptions;
import dev.relato.WrongExpectedVersionException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresEventStoreTest {
    private static String schema;
    private static HikariDataSource pool;
    private static PostgresEventStore store;

    @BeforeAll
    static void start() {
        schema = TestDatabase.newSchema("store");
        pool = TestDatabase.pool(schema, 6);
        store = PostgresEventStore.builder().dataSource(pool).schema(schema).maxEventBytes(4096).build();
        store.migrate();
        TestDatabase.execute("CREATE TABLE \"" + schema + "\".order_totals (order_id text PRIMARY KEY, total int)");
    }

    @AfterAll
    static void stop() {
        store.close();
        pool.close();
        TestDatabase.dropSchema(schema);
    }

    private static StreamId newStream() {
        return StreamId.of("Order", UUID.randomUUID().toString());
    }

    private static List<EventData> events(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> EventData.of("ItemAdded", "{\"n\":" + i + "}")).toList();
    }

    @Test
    void readsTheSameEventsOnceTheDriverReceivesTimesAndIdsInBinary() {
        StreamId stream = newStream();
        List<EventData> given = List.of(
                EventData.of("Given", "{}").withOccurredAt(Instant.parse("2020-02-29T12:34:56.123456Z")),
                EventData.of("BeforePostgresEpoch", "{}").withOccurredAt(Instant.parse("1969-12-31T23:59:59.999999Z")),
                EventData.of("Ancient", "{}").withOccurredAt(Instant.parse("0001-01-01T00:00:00Z")),
                EventData.of("NotGiven", "{}"));
        AppendResult result = store.append(stream, ExpectedVersion.noStream(), given);
        // one connection: the driver prepares the statement on the server after a few runs, then receives binary
        try (HikariDataSource one = TestDatabase.pool(schema, 1)) {
            PostgresEventStore reader = PostgresEventStore.builder().dataSource(one).schema(schema).build();
            try {
                for (int i = 0; i < 8; i++) {
                    assertThat(reader.read(stream)).as("read %d", i).isEqualTo(result.events());
                    try (Stream<RecordedEvent> log = reader.readAll(GlobalRead.after(result.firstPosition() - 1))) {
                        assertThat(log.limit(4).toList()).as("readAll %d", i).isEqualTo(result.events());
                    }
                }
            } finally {
                reader.close();
            }
        }
    }

    @Test
    void appendsAndReadsBack() {
        StreamId stream = newStream();
        EventData placed = new EventData(UUID.randomUUID(), "OrderPlaced", 2, "{\"total\":10}",
                Metadata.empty().withCorrelationId("c-1").with("user", "ann"));
        AppendResult first = store.append(stream, ExpectedVersion.noStream(), List.of(placed));
        AppendResult second = store.append(stream, ExpectedVersion.exactly(1), events(2));

        assertThat(first.firstVersion()).isEqualTo(1);
        assertThat(first.lastVersion()).isEqualTo(1);
        assertThat(first.retried()).isFalse();
        assertThat(second.firstVersion()).isEqualTo(2);
        assertThat(second.lastVersion()).isEqualTo(3);
        assertThat(second.firstPosition()).isGreaterThan(first.lastPosition());
        assertThat(second.lastPosition()).isEqualTo(second.firstPosition() + 1);

        List<RecordedEvent> read = store.read(stream);
        assertThat(read).extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L, 3L);
        RecordedEvent e = read.get(0);
        assertThat(e.eventId()).isEqualTo(placed.eventId());
        assertThat(e.streamId()).isEqualTo(stream);
        assertThat(e.type()).isEqualTo("OrderPlaced");
        assertThat(e.schemaVersion()).isEqualTo(2);
        assertThat(e.payload()).isEqualToIgnoringWhitespace("{\"total\":10}");
        assertThat(e.metadata()).isEqualTo(placed.metadata());
        assertThat(e.position()).isEqualTo(first.firstPosition());
        assertThat(store.streamVersion(stream)).isEqualTo(3);
        assertThat(store.exists(stream)).isTrue();
        assertThat(store.streamVersion(newStream())).isZero();
        assertThat(store.read(newStream())).isEmpty();
        assertThat(store.headPosition()).isGreaterThanOrEqualTo(second.lastPosition());
    }

    @Test
    void enforcesExpectedVersions() {
        StreamId stream = newStream();
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.streamExists(), events(1)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> assertThat(e.actualVersion()).isZero());
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.exactly(3), events(1)))
                .isInstanceOf(WrongExpectedVersionException.class);
        store.append(stream, ExpectedVersion.any(), events(2));
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), events(1)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.actualVersion()).isEqualTo(2);
                    assertThat(e.stream()).isEqualTo(stream);
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.noStream());
                });
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.exactly(1), events(1)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> assertThat(e.actualVersion()).isEqualTo(2));
        assertThat(store.append(stream, ExpectedVersion.streamExists(), events(1)).lastVersion()).isEqualTo(3);
        assertThat(store.append(stream, ExpectedVersion.exactly(3), events(1)).lastVersion()).isEqualTo(4);
        assertThat(store.read(stream)).hasSize(4);
    }

    @Test
    void retriesAreIdempotentAndDuplicatesRefused() {
        StreamId stream = newStream();
        List<EventData> batch = events(2);
        AppendResult original = store.append(stream, ExpectedVersion.noStream(), batch);
        store.append(stream, ExpectedVersion.exactly(2), events(1));

        AppendResult retried = store.append(stream, ExpectedVersion.noStream(), batch);
        assertThat(retried.retried()).isTrue();
        assertThat(retried.firstVersion()).isEqualTo(original.firstVersion());
        assertThat(retried.lastVersion()).isEqualTo(original.lastVersion());
        assertThat(retried.firstPosition()).isEqualTo(original.firstPosition());
        assertThat(retried.lastPosition()).isEqualTo(original.lastPosition());
        assertThat(store.append(stream, ExpectedVersion.any(), batch).retried()).isTrue();
        assertThat(store.read(stream)).hasSize(3);

        assertThatThrownBy(() -> store.append(newStream(), ExpectedVersion.any(), batch))
                .isInstanceOfSatisfying(DuplicateEventException.class,
                        e -> assertThat(e.eventId()).isEqualTo(batch.get(0).eventId()));
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.exactly(1), batch))
                .isInstanceOf(DuplicateEventException.class);
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), List.of(batch.get(1), batch.get(0))))
                .isInstanceOf(DuplicateEventException.class);
        List<EventData> partial = List.of(batch.get(0), EventData.of("ItemAdded", "{}"));
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), partial))
                .isInstanceOf(DuplicateEventException.class);
        assertThat(store.read(stream)).hasSize(3);
    }

    @Test
    void rejectsBadInputWithoutWriting() {
        StreamId stream = newStream();
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), List.of()))
                .isInstanceOf(InvalidEventException.class);
        String big = "{\"text\":\"" + "x".repeat(5000) + "\"}";
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), List.of(EventData.of("Big", big))))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("4096");
        // Well-formed JSON that no store could keep is refused before it reaches PostgreSQL (the contract's
        // hostile-input group covers every store).
        assertThatThrownBy(() -> EventData.of("Nul", "{\"a\":\"\\u0000\"}")).isInstanceOf(InvalidEventException.class);
        assertThat(store.read(stream)).isEmpty();
        assertThat(store.streamVersion(stream)).isZero();
        assertThatThrownBy(() -> PostgresEventStore.builder().dataSource(pool).schema("Bad-Name").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bad-Name");
        assertThatThrownBy(() -> PostgresEventStore.builder().dataSource(pool).tablePrefix("x;drop").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x;drop");
        assertThatThrownBy(() -> PostgresEventStore.builder().dataSource(pool).maxEventBytes(10).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void textThatArrayLiteralsTreatSpeciallyIsStoredFaithfully() {
        StreamId stream = newStream();
        List<EventData> tricky = List.of(
                new EventData(UUID.randomUUID(), "NULL", 1, "null", Metadata.empty().with("k", "NULL")),
                new EventData(UUID.randomUUID(), "a \"quoted\", {braced} \\ type", 1,
                        "{\"s\":\"he said \\\"hi\\\", {x,y} \\\\ 日本 🎉\"}", Metadata.empty().with("{,}", "\"\\")),
                new EventData(UUID.randomUUID(), " padded ", 1, "[1, \"NULL\", null]", Metadata.empty()));
        store.append(stream, ExpectedVersion.noStream(), tricky);
        List<RecordedEvent> read = store.read(stream);
        for (int i = 0; i < tricky.size(); i++) {
            assertThat(read.get(i).type()).isEqualTo(tricky.get(i).type());
            assertThat(read.get(i).metadata()).isEqualTo(tricky.get(i).metadata());
            assertThat(read.get(i).payload().replace(" ", "")).isEqualTo(tricky.get(i).payload().replace(" ", ""));
        }
    }

    @Test
    void streamIdsAreStoredFaithfully() {
        StreamId stream = StreamId.of("Order", "ünï-cødé 'quoted' \"x\" ; DROP TABLE events; -- 日本");
        store.append(stream, ExpectedVersion.noStream(), events(1));
        assertThat(store.read(stream)).singleElement().extracting(RecordedEvent::streamId).isEqualTo(stream);
    }

    @Test
    void readsRangesBackwardsLimitsAndAsOf() throws InterruptedException {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(3));
        Thread.sleep(20);
        Instant between = Instant.now();
        Thread.sleep(20);
        store.append(stream, ExpectedVersion.exactly(3), events(3));

        assertThat(versions(store.read(stream, StreamRead.forwards().from(2).to(4)))).containsExactly(2L, 3L, 4L);
        assertThat(versions(store.read(stream, StreamRead.forwards().from(5)))).containsExactly(5L, 6L);
        assertThat(versions(store.read(stream, StreamRead.forwards().limit(2)))).containsExactly(1L, 2L);
        assertThat(versions(store.read(stream, StreamRead.backwards()))).containsExactly(6L, 5L, 4L, 3L, 2L, 1L);
        assertThat(versions(store.read(stream, StreamRead.backwards().limit(2)))).containsExactly(6L, 5L);
        assertThat(versions(store.read(stream, StreamRead.backwards().from(4).to(2)))).containsExactly(4L, 3L, 2L);
        assertThat(versions(store.read(stream, StreamRead.forwards().asOf(between)))).containsExactly(1L, 2L, 3L);
        assertThat(versions(store.read(stream, StreamRead.backwards().asOf(between).limit(2)))).containsExactly(3L, 2L);
        assertThat(store.read(stream, StreamRead.forwards().asOf(Instant.EPOCH))).isEmpty();
        assertThat(store.read(stream, StreamRead.forwards().from(7))).isEmpty();
    }

    private static List<Long> versions(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::streamVersion).toList();
    }

    @Test
    void readsTheLogInPagesWithFilters() {
        String category = "Cat" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        long start = store.headPosition();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            StreamId stream = StreamId.of(category, "s" + i);
            List<EventData> batch = List.of(EventData.of("A", "{}"), EventData.of("B", "{}"));
            batch.forEach(e -> ids.add(e.eventId()));
            store.append(stream, ExpectedVersion.noStream(), batch);
        }
        try (Stream<RecordedEvent> all = store.readAll(GlobalRead.after(start).filter(EventFilter.categories(category))
                .batchSize(3))) {
            List<RecordedEvent> read = all.toList();
            assertThat(read).extracting(RecordedEvent::eventId).containsExactlyElementsOf(ids);
            assertThat(read).extracting(RecordedEvent::position).isSorted().doesNotHaveDuplicates();
        }
        try (Stream<RecordedEvent> onlyB = store.readAll(GlobalRead.after(start)
                .filter(EventFilter.categories(category).andTypes(List.of("B"))).batchSize(2).limit(3))) {
            assertThat(onlyB.map(RecordedEvent::type).collect(Collectors.toList())).containsExactly("B", "B", "B");
        }
        try (Stream<RecordedEvent> typed = store.readAll(GlobalRead.after(start).filter(EventFilter.types("A")))) {
            assertThat(typed.filter(e -> e.streamId().category().equals(category)).count()).isEqualTo(5);
        }
    }

    @Test
    void appendJoinsTheCallersTransaction() throws SQLException {
        StreamId committed = newStream();
        StreamId rolledBack = newStream();
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            store.append(tx, committed, ExpectedVersion.noStream(), events(2));
            updateReadModel(tx, committed, 2);
            assertThat(store.read(tx, committed, StreamRead.forwards())).hasSize(2);
            assertThat(store.read(committed)).isEmpty();
            tx.commit();

            store.append(tx, rolledBack, ExpectedVersion.noStream(), events(1));
            updateReadModel(tx, rolledBack, 1);
            // a refused append leaves the transaction usable
            assertThatThrownBy(() -> store.append(tx, rolledBack, ExpectedVersion.noStream(), events(1)))
                    .isInstanceOf(WrongExpectedVersionException.class);
            tx.rollback();
            tx.setAutoCommit(true);
        }
        assertThat(store.read(committed)).hasSize(2);
        assertThat(readModel(committed)).isEqualTo(2);
        assertThat(store.read(rolledBack)).isEmpty();
        assertThat(store.streamVersion(rolledBack)).isZero();
        assertThat(readModel(rolledBack)).isZero();
        assertThat(store.append(rolledBack, ExpectedVersion.noStream(), events(1)).lastVersion()).isEqualTo(1);
    }

    private void updateReadModel(Connection tx, StreamId stream, int total) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO \"" + schema + "\".order_totals VALUES (?, ?)")) {
            ps.setString(1, stream.id());
            ps.setInt(2, total);
            ps.executeUpdate();
        }
    }

    private int readModel(StreamId stream) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT total FROM \"" + schema + "\".order_totals WHERE order_id = ?")) {
            ps.setString(1, stream.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    @Test
    void theHeadWatcherRunsOnlyWhileTheStoreHasSubscriptions() throws Exception {
        try (PostgresEventStore watched = PostgresEventStore.builder().dataSource(pool).schema(schema)
                .tablePrefix("watched_").build()) {
            watched.migrate();
            String thread = "relato-postgres-head-watcher-" + schema + ".watched_events";
            assertThat(threadAlive(thread)).isFalse();
            Subscription first = watched.subscribe(0, EventFilter.all(), e -> { });
            Subscription second = watched.subscribe(0, EventFilter.all(), e -> { });
            assertThat(threadAlive(thread)).isTrue();
            first.close();
            assertThat(threadAlive(thread)).isTrue();
            second.close();
            awaitThreadGone(thread);
            watched.subscribe(0, EventFilter.all(), e -> { });
            assertThat(threadAlive(thread)).isTrue();
            watched.close();
            assertThat(threadAlive(thread)).isFalse();
        }
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    private static void awaitThreadGone(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (threadAlive(name) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(threadAlive(name)).as("thread %s ended", name).isFalse();
    }

    @Test
    void appendsThroughAnotherStoreAndCallersTransactionsWakeSubscribersThroughTheHeadWatcher() throws Exception {
        // This store's subscriptions poll once an hour: only its head watcher brings new events to them in time.
        SubscriptionOptions hourly = SubscriptionOptions.DEFAULT.withBatchSize(100).withPollInterval(Duration.ofHours(1));
        StreamId own = newStream();
        StreamId joined = newStream();
        BlockingQueue<RecordedEvent> seen = new LinkedBlockingQueue<>();
        try (PostgresEventStore subscriber = PostgresEventStore.builder().dataSource(pool).schema(schema)
                .subscriptionOptions(hourly).build();
             Subscription subscription = subscriber.subscribe(store.headPosition(), EventFilter.all(), seen::add)) {
            assertThat(subscription.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();

            store.append(own, ExpectedVersion.noStream(), events(1));
            assertThat(awaitEventOf(seen, own)).isTrue();

            try (Connection tx = pool.getConnection()) {
                tx.setAutoCommit(false);
                store.append(tx, joined, ExpectedVersion.noStream(), events(1));
                tx.commit();
                tx.setAutoCommit(true);
            }
            assertThat(awaitEventOf(seen, joined)).isTrue();
        }
    }

    private static boolean awaitEventOf(BlockingQueue<RecordedEvent> seen, StreamId stream) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            RecordedEvent event = seen.poll(left, TimeUnit.NANOSECONDS);
            if (event != null && event.streamId().equals(stream)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void concurrentWritersFromSeveralStoresNeverLeaveGaps() throws Exception {
        StreamId stream = newStream();
        int writers = 6;
        int appendsEach = 15;
        try (HikariDataSource otherPool = TestDatabase.pool(schema + "_other", 3);
             PostgresEventStore other = PostgresEventStore.builder().dataSource(otherPool).schema(schema).build()) {
            ExecutorService executor = Executors.newFixedThreadPool(writers);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    PostgresEventStore target = w % 2 == 0 ? store : other;
                    results.add(executor.submit(() -> {
                        int written = 0;
                        while (written < appendsEach) {
                            long version = target.streamVersion(stream);
                            try {
                                target.append(stream, ExpectedVersion.exactly(version), events(2));
                                written++;
                            } catch (WrongExpectedVersionException lost) {
                                assertThat(lost.actualVersion()).isGreaterThan(version);
                            }
                        }
                        return written;
                    }));
                }
                for (Future<Integer> f : results) {
                    assertThat(f.get()).isEqualTo(appendsEach);
                }
            } finally {
                executor.shutdownNow();
            }
        }
        List<RecordedEvent> read = store.read(stream);
        assertThat(read).hasSize(writers * appendsEach * 2);
        assertThat(versions(read)).containsExactlyElementsOf(
                IntStream.rangeClosed(1, writers * appendsEach * 2).mapToObj(i -> (long) i).toList());
    }

    @Test
    void concurrentRetriesOfOneAppendWriteItOnce() throws Exception {
        for (int round = 0; round < 5; round++) {
            StreamId stream = newStream();
            List<EventData> batch = events(3);
            ExecutorService executor = Executors.newFixedThreadPool(4);
            try {
                List<Future<AppendResult>> results = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    results.add(executor.submit(() -> store.append(stream, ExpectedVersion.any(), batch)));
                }
                int originals = 0;
                for (Future<AppendResult> f : results) {
                    AppendResult r = f.get();
                    assertThat(r.firstVersion()).isEqualTo(1);
                    assertThat(r.lastVersion()).isEqualTo(3);
                    originals += r.retried() ? 0 : 1;
                }
                assertThat(originals).isEqualTo(1);
            } finally {
                executor.shutdownNow();
            }
            assertThat(store.read(stream)).hasSize(3);
        }
    }

    @Test
    void anAppendRacingAnUncommittedOneWithTheSameIdsAnswersFromItsOutcome() throws Exception {
        StreamId stream = newStream();
        StreamId elsewhere = newStream();
        List<EventData> batch = events(2);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            AppendResult original = store.append(tx, stream, ExpectedVersion.any(), batch);
            // Both see nothing stored yet, then wait in the database for the open transaction.
            Future<AppendResult> retry = executor.submit(() -> store.append(stream, ExpectedVersion.any(), batch));
            Future<AppendResult> duplicate = executor.submit(() -> store.append(elsewhere, ExpectedVersion.any(), batch));
            awaitBlockedBackends(2);
            tx.commit();
            tx.setAutoCommit(true);

            AppendResult retried = retry.get();
            assertThat(retried.retried()).isTrue();
            assertThat(retried.lastPosition()).isEqualTo(original.lastPosition());
            assertThatThrownBy(duplicate::get).hasCauseInstanceOf(DuplicateEventException.class);
        } finally {
            executor.shutdownNow();
        }
        assertThat(store.read(stream)).hasSize(2);
        assertThat(store.read(elsewhere)).isEmpty();
        assertThat(store.streamVersion(elsewhere)).isZero();
    }

    /** Waits until {@code count} of this test's backends wait for a lock. */
    private static void awaitBlockedBackends(int count) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Connection c = pool.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                         + " WHERE application_name = ? AND wait_event_type = 'Lock'")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) >= count) {
                        return;
                    }
                }
            }
            assertThat(System.nanoTime()).as("backends waiting for a lock").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void snapshotsKeepTheNewest() {
        PostgresSnapshotStore snapshots = store.snapshots();
        StreamId stream = newStream();
        assertThat(snapshots.load(stream)).isEmpty();
        Instant now = Instant.parse("2026-01-01T10:00:00Z");
        snapshots.save(new dev.relato.snapshot.Snapshot(stream, 5, 1, "{\"total\":5}", now));
        snapshots.save(new dev.relato.snapshot.Snapshot(stream, 3, 1, "{\"total\":3}", now));
        assertThat(snapshots.load(stream)).hasValueSatisfying(s -> {
            assertThat(s.version()).isEqualTo(5);
            assertThat(s.payload()).isEqualToIgnoringWhitespace("{\"total\":5}");
            assertThat(s.takenAt()).isEqualTo(now);
        });
        snapshots.save(new dev.relato.snapshot.Snapshot(stream, 8, 2, "{\"total\":8}", now));
        assertThat(snapshots.load(stream)).hasValueSatisfying(s -> assertThat(s.schemaVersion()).isEqualTo(2));
        snapshots.delete(stream);
        assertThat(snapshots.load(stream)).isEmpty();
    }

    @Test
    void checkpointsCommitWithTheCallersTransaction() throws SQLException {
        PostgresCheckpointStore checkpoints = store.checkpoints();
        assertThat(checkpoints.load("orders")).isZero();
        checkpoints.save("orders", 42);
        assertThat(checkpoints.load("orders")).isEqualTo(42);
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            checkpoints.save(tx, "orders", 50);
            updateReadModel(tx, StreamId.of("Order", "cp-rolled-back"), 1);
            assertThat(checkpoints.load(tx, "orders")).isEqualTo(50);
            tx.rollback();
            assertThat(checkpoints.load("orders")).isEqualTo(42);
            checkpoints.save(tx, "orders", 60);
            updateReadModel(tx, StreamId.of("Order", "cp-committed"), 1);
            tx.commit();
            tx.setAutoCommit(true);
        }
        assertThat(checkpoints.load("orders")).isEqualTo(60);
        assertThat(readModel(StreamId.of("Order", "cp-committed"))).isEqualTo(1);
        assertThat(readModel(StreamId.of("Order", "cp-rolled-back"))).isZero();
        assertThatThrownBy(() -> checkpoints.save("orders", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> checkpoints.save(" ", 1)).isInstanceOf(InvalidInputException.class);
        checkpoints.delete("orders");
        assertThat(checkpoints.load("orders")).isZero();
    }

    @Test
    void oneTransactionMayAppendToSeveralStreams() throws SQLException {
        StreamId a = newStream();
        StreamId b = newStream();
        long before = store.headPosition();
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            AppendResult first = store.append(tx, a, ExpectedVersion.noStream(), events(2));
            AppendResult second = store.append(tx, b, ExpectedVersion.noStream(), events(2));
            assertThat(second.firstPosition()).isGreaterThan(first.lastPosition());
            try (Statement s = tx.createStatement()) {
                s.execute("SELECT 1");
            }
            tx.commit();
            tx.setAutoCommit(true);
        }
        try (Stream<RecordedEvent> log = store.readAll(GlobalRead.after(before))) {
            assertThat(log.filter(e -> e.streamId().equals(a) || e.streamId().equals(b)).map(RecordedEvent::streamId))
                    .containsExactly(a, a, b, b);
        }
    }

    // Exact and no-stream appends in the caller's transaction are one insert that skips a taken version or event
    // id: a retry, a duplicate and a conflict are answered and leave the transaction usable, with nothing of the
    // refused append in it.

    @Test
    void retriesDuplicatesAndConflictsInTheCallersTransactionLeaveItUsable() throws SQLException {
        StreamId stream = newStream();
        List<EventData> batch = events(2);
        AppendResult original = store.append(stream, ExpectedVersion.noStream(), batch);
        StreamId other = newStream();
        List<EventData> fresh = events(2);
        long before = store.headPosition();
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            for (ExpectedVersion expected : List.of(ExpectedVersion.noStream(), ExpectedVersion.any())) {
                AppendResult retried = store.append(tx, stream, expected, batch);
                assertThat(retried.retried()).isTrue();
                assertThat(retried.lastPosition()).isEqualTo(original.lastPosition());
            }
            assertThatThrownBy(() -> store.append(tx, stream, ExpectedVersion.exactly(1), events(1)))
                    .isInstanceOfSatisfying(WrongExpectedVersionException.class,
                            e -> assertThat(e.actualVersion()).isEqualTo(2));
            for (ExpectedVersion expected : List.of(ExpectedVersion.noStream(), ExpectedVersion.any())) {
                assertThatThrownBy(() -> store.append(tx, other, expected, List.of(batch.get(0))))
                        .isInstanceOf(DuplicateEventException.class);
            }
            // a batch whose first event is new and second is stored, and the other way round
            assertThatThrownBy(() -> store.append(tx, other, ExpectedVersion.noStream(),
                    List.of(fresh.get(0), batch.get(1)))).isInstanceOf(DuplicateEventException.class);
            assertThatThrownBy(() -> store.append(tx, other, ExpectedVersion.noStream(),
                    List.of(batch.get(0), fresh.get(1)))).isInstanceOf(DuplicateEventException.class);
            assertThat(store.read(tx, other, StreamRead.forwards())).isEmpty();

            AppendResult first = store.append(tx, other, ExpectedVersion.noStream(), fresh);
            assertThat(first.retried()).isFalse();
            // the same events again at the same place, in the same transaction: a retry
            assertThat(store.append(tx, other, ExpectedVersion.noStream(), fresh).retried()).isTrue();
            AppendResult second = store.append(tx, other, ExpectedVersion.exactly(2), events(1));
            assertThat(second.lastVersion()).isEqualTo(3);
            assertThat(second.firstPosition()).isGreaterThan(first.lastPosition());
            // an id this transaction stored, in another stream
            assertThatThrownBy(() -> store.append(tx, newStream(), ExpectedVersion.noStream(),
                    List.of(fresh.get(0)))).isInstanceOf(DuplicateEventException.class);
            tx.commit();
            tx.setAutoCommit(true);
        }
        assertThat(store.read(stream)).extracting(RecordedEvent::eventId)
                .containsExactly(batch.get(0).eventId(), batch.get(1).eventId());
        List<RecordedEvent> stored = store.read(other);
        assertThat(stored).extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L, 3L);
        assertThat(stored.subList(0, 2)).extracting(RecordedEvent::eventId)
                .containsExactly(fresh.get(0).eventId(), fresh.get(1).eventId());
        try (Stream<RecordedEvent> log = store.readAll(GlobalRead.after(before))) {
            assertThat(log.filter(e -> e.streamId().equals(other)).map(RecordedEvent::streamVersion))
                    .containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void aVersionTakenByAConcurrentTransactionIsAConflictThatLeavesTheTransactionUsable() throws Exception {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(1));
        ExecutorService second = Executors.newSingleThreadExecutor();
        try (Connection first = pool.getConnection(); Connection other = pool.getConnection()) {
            first.setAutoCommit(false);
            store.append(first, stream, ExpectedVersion.exactly(1), events(2));
            int otherPid = pid(other);
            other.setAutoCommit(false);
            Future<Throwable> refused = second.submit(() -> {
                try {
                    store.append(other, stream, ExpectedVersion.exactly(1), events(3));
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            });
            awaitLockWait(otherPid);
            first.commit();
            first.setAutoCommit(true);
            assertThat(refused.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(WrongExpectedVersionException.class,
                    e -> assertThat(e.actualVersion()).isEqualTo(3));
            AppendResult after = store.append(other, stream, ExpectedVersion.exactly(3), events(1));
            assertThat(after.lastVersion()).isEqualTo(4);
            other.commit();
            other.setAutoCommit(true);
        } finally {
            second.shutdownNow();
        }
        assertThat(store.read(stream)).extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void anAppendWaitingForADeleteInFlightDoesNotLandBehindIt() throws Exception {
        for (int size : new int[] {1, 3}) {
            StreamId stream = newStream();
            store.append(stream, ExpectedVersion.noStream(), events(2));
            ExecutorService appender = Executors.newSingleThreadExecutor();
            try (Connection deleting = pool.getConnection()) {
                deleting.setAutoCommit(false);
                try (PreparedStatement ps = deleting.prepareStatement(
                        "SELECT outcome FROM \"" + schema + "\".delete_stream(?, ?, -1, false)")) {
                    ps.setString(1, stream.category());
                    ps.setString(2, stream.id());
                    ps.executeQuery().close();
                }
                Future<Throwable> refused = appender.submit(() -> {
                    try {
                        store.append(stream, ExpectedVersion.exactly(2), events(size));
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                });
                awaitLockWaitOfAnother(pid(deleting));
                deleting.commit();
                assertThat(refused.get(30, TimeUnit.SECONDS)).as("%d event(s)", size)
                        .isInstanceOfSatisfying(WrongExpectedVersionException.class,
                                e -> assertThat(e.actualVersion()).isZero());
            } finally {
                appender.shutdownNow();
            }
            assertThat(store.read(stream)).as("nothing left behind the delete").isEmpty();
            assertThat(store.append(stream, ExpectedVersion.noStream(), events(1)).lastVersion()).isEqualTo(1);
        }
    }

    @Test
    void aDeleteWaitsForAnAppendInFlightAndRemovesItToo() throws Exception {
        StreamId stream = newStream();
        store.append(stream, ExpectedVersion.noStream(), events(2));
        ExecutorService deleter = Executors.newSingleThreadExecutor();
        try (Connection appending = pool.getConnection()) {
            appending.setAutoCommit(false);
            store.append(appending, stream, ExpectedVersion.exactly(2), events(1));
            Future<Long> removed = deleter.submit(() -> store.deleteStream(stream, ExpectedVersion.any()));
            awaitLockWaitOfAnother(pid(appending));
            appending.commit();
            assertThat(removed.get(30, TimeUnit.SECONDS)).isEqualTo(3);
        } finally {
            deleter.shutdownNow();
        }
        assertThat(store.read(stream)).isEmpty();
        assertThat(store.streamVersion(stream)).isZero();
    }

    @Test
    void aRefusedBatchOnAnAutoCommittingConnectionStoresNothing() throws SQLException {
        StreamId stream = newStream();
        List<EventData> stored = events(1);
        store.append(newStream(), ExpectedVersion.noStream(), stored);
        try (Connection c = pool.getConnection()) {
            assertThat(c.getAutoCommit()).isTrue();
            assertThatThrownBy(() -> store.append(c, stream, ExpectedVersion.noStream(),
                    List.of(events(1).get(0), stored.get(0)))).isInstanceOf(DuplicateEventException.class);
            assertThat(store.append(c, stream, ExpectedVersion.noStream(), events(1)).lastVersion()).isEqualTo(1);
        }
        assertThat(store.read(stream)).hasSize(1);
    }

    private static int pid(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Waits until the backend waits for a lock (the row the other transaction inserted at the same version). */
    private static void awaitLockWait(int pid) throws SQLException, InterruptedException {
        awaitLockWait("pid = ?", pid);
    }

    /** Waits until a statement on this test's schema, in a backend other than {@code pid}, waits for a lock. */
    private static void awaitLockWaitOfAnother(int pid) throws SQLException, InterruptedException {
        awaitLockWait("pid <> ? AND pid <> pg_backend_pid() AND position(? in query) > 0", pid, schema);
    }

    /** Waits until a backend matching {@code where}, with its parameters, waits for a lock. */
    private static void awaitLockWait(String where, Object... parameters) throws SQLException, InterruptedException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND " + where)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            for (int i = 0; i < 3000; i++) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
                Thread.sleep(10);
            }
        }
        throw new AssertionError("no statement waited for the open transaction");
    }
}
