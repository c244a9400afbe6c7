package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.Subscription;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The global log under out-of-order commits: readers never pass a position a transaction still in flight
 * could take, and never wait for rolled-back ones.
 */
class PostgresGlobalOrderTest {
    private static String schema;
    private static HikariDataSource pool;
    private static PostgresEventStore store;

    @BeforeAll
    static void start() {
        schema = TestDatabase.newSchema("order");
        pool = TestDatabase.pool(schema, 12);
        store = PostgresEventStore.builder().dataSource(pool).schema(schema).build();
        store.migrate();
        TestDatabase.execute("CREATE TABLE \"" + schema + "\".side_effects (id serial PRIMARY KEY, note text)");
    }

    @AfterAll
    static void stop() {
        store.close();
        pool.close();
        TestDatabase.dropSchema(schema);
    }

    @Test
    void aReaderNeverPassesATransactionInFlightNorWaitsForARolledBackOne() throws Exception {
        String category = "Early" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        StreamId slowStream = StreamId.of(category, "slow");
        StreamId fastStream = StreamId.of(category, "fast");
        long start = store.headPosition();
        try (Connection slow = pool.getConnection()) {
            slow.setAutoCommit(false);
            // The slow transaction gets its transaction id first (any write does) and appends later, after a
            // younger transaction has appended and committed.
            writeSideEffect(slow, "slow");
            store.append(fastStream, ExpectedVersion.noStream(), List.of(EventData.of("Fast", "{}")));
            store.append(slow, slowStream, ExpectedVersion.noStream(), List.of(EventData.of("Slow", "{}")));

            assertThat(readCategory(start, category)).isEmpty();
            assertThat(store.headPosition()).isLessThan(ownTransactionBase(slow));
            slow.commit();
            slow.setAutoCommit(true);
        }
        List<RecordedEvent> read = readCategory(start, category);
        assertThat(read).extracting(RecordedEvent::type).containsExactly("Slow", "Fast");
        assertThat(read).extracting(RecordedEvent::position).isSorted();

        StreamId doomed = StreamId.of(category, "doomed");
        long head = store.headPosition();
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            store.append(tx, doomed, ExpectedVersion.noStream(), List.of(EventData.of("Doomed", "{}")));
            store.append(fastStream, ExpectedVersion.exactly(1), List.of(EventData.of("Later", "{}")));
            assertThat(readCategory(head, category)).isEmpty();
            tx.rollback();
            tx.setAutoCommit(true);
        }
        // no timeout: visible as soon as the rolled-back transaction is gone
        assertThat(readCategory(head, category)).extracting(RecordedEvent::type).containsExactly("Later");
    }

    @Test
    void anOlderTransactionThatAppendsAfterAYoungerOneIsNotSkipped() throws Exception {
        // With positions from a sequence and a "transaction id below xmin" filter alone, this loses the
        // younger transaction's event: it takes the lower position, the older one commits first and is
        // visible (its id is below xmin), the reader moves past it, then the younger one commits below.
        String category = "Older" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        long start = store.headPosition();
        try (Connection older = pool.getConnection(); Connection younger = pool.getConnection()) {
            older.setAutoCommit(false);
            younger.setAutoCommit(false);
            writeSideEffect(older, "older"); // the older transaction id
            store.append(younger, StreamId.of(category, "young"), ExpectedVersion.noStream(),
                    List.of(EventData.of("Young", "{}")));
            store.append(older, StreamId.of(category, "old"), ExpectedVersion.noStream(),
                    List.of(EventData.of("Old", "{}")));
            older.commit();

            List<RecordedEvent> first = readCategory(start, category);
            assertThat(first).extracting(RecordedEvent::type).containsExactly("Old");
            long passed = first.get(0).position();

            younger.commit();
            assertThat(readCategory(passed, category)).extracting(RecordedEvent::type).containsExactly("Young");
            older.setAutoCommit(true);
            younger.setAutoCommit(true);
        }
    }

    @Test
    void transactionsOfOtherDatabasesDoNotHoldReadersBack() throws Exception {
        String category = "Foreign" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        long start = store.headPosition();
        try (Connection foreign = DriverManager.getConnection(TestDatabase.otherDatabaseUrl(), "postgres", "")) {
            foreign.setAutoCommit(false);
            try (Statement s = foreign.createStatement()) {
                s.execute("SELECT pg_current_xact_id()"); // an open transaction with an id, in another database
            }
            AppendResult appended = store.append(StreamId.of(category, "1"), ExpectedVersion.noStream(),
                    List.of(EventData.of("Seen", "{}")));
            assertThat(store.headPosition()).isGreaterThanOrEqualTo(appended.lastPosition());
            assertThat(readCategory(start, category)).extracting(RecordedEvent::type).containsExactly("Seen");
            foreign.rollback();
        }
    }

    /** The lowest position the transaction's events can have. */
    private static long ownTransactionBase(Connection tx) throws SQLException {
        try (Statement s = tx.createStatement();
             var rs = s.executeQuery("SELECT pg_current_xact_id()::text::bigint << 20")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<RecordedEvent> readCategory(long after, String category) {
        try (Stream<RecordedEvent> log = store.readAll(GlobalRead.after(after).filter(EventFilter.categories(category)))) {
            return log.toList();
        }
    }

    private static void writeSideEffect(Connection tx, String note) throws SQLException {
        try (var ps = tx.prepareStatement("INSERT INTO \"" + schema + "\".side_effects (note) VALUES (?)")) {
            ps.setString(1, note);
            ps.executeUpdate();
        }
    }

    @Test
    void aSubscriberSeesEveryCommittedEventOnceInOrderAndNoRolledBackOne() throws Exception {
        String category = "Race" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        int writers = 8;
        int transactionsEach = 25;
        Set<UUID> committed = ConcurrentHashMap.newKeySet();
        Set<UUID> rolledBack = ConcurrentHashMap.newKeySet();
        List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
        List<String> orderViolations = new CopyOnWriteArrayList<>();
        long[] last = {0};

        try (Subscription subscription = store.subscribe(store.headPosition(), EventFilter.categories(category), e -> {
            if (e.position() <= last[0]) {
                orderViolations.add(e.position() + " after " + last[0]);
            }
            last[0] = e.position();
            seen.add(e);
        })) {
            assertThat(subscription.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            ExecutorService executor = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    done.add(executor.submit(() -> {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        for (int t = 0; t < transactionsEach; t++) {
                            List<EventData> batch = new ArrayList<>();
                            try (Connection tx = pool.getConnection()) {
                                tx.setAutoCommit(false);
                                if (random.nextBoolean()) {
                                    writeSideEffect(tx, "writer " + writer); // takes a transaction id early
                                }
                                Thread.sleep(random.nextInt(15));
                                int appends = 1 + random.nextInt(2);
                                for (int a = 0; a < appends; a++) {
                                    List<EventData> events = List.of(EventData.of("E", "{\"w\":" + writer + "}"),
                                            EventData.of("E", "{\"w\":" + writer + "}"));
                                    store.append(tx, StreamId.of(category, "w" + writer + "-" + random.nextInt(3)),
                                            ExpectedVersion.any(), events);
                                    batch.addAll(events);
                                    Thread.sleep(random.nextInt(10));
                                }
                                if (random.nextInt(5) == 0) {
                                    tx.rollback();
                                    batch.forEach(e -> rolledBack.add(e.eventId()));
                                } else {
                                    tx.commit();
                                    batch.forEach(e -> committed.add(e.eventId()));
                                }
                                tx.setAutoCommit(true);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                executor.shutdownNow();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < committed.size() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(subscription.isRunning()).isTrue();
        }
        assertThat(orderViolations).isEmpty();
        List<UUID> seenIds = seen.stream().map(RecordedEvent::eventId).toList();
        assertThat(seenIds).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seenIds)).isEqualTo(committed);
        assertThat(Collections.disjoint(seenIds, rolledBack)).isTrue();
        assertThat(rolledBack).isNotEmpty();
        try (Stream<RecordedEvent> log = store.readAll(GlobalRead.fromStart().filter(EventFilter.categories(category)))) {
            assertThat(log.map(RecordedEvent::eventId).toList()).isEqualTo(seenIds);
        }
    }
}
