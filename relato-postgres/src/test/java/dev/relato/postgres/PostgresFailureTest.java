package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.Subscription;
import dev.relato.SubscriptionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Server connections killed with pg_terminate_backend while the store works. */
class PostgresFailureTest {
    private static String schema;
    private static HikariDataSource setupPool;

    @BeforeAll
    static void start() {
        schema = TestDatabase.newSchema("failure");
        setupPool = TestDatabase.pool(schema + "_setup", 2);
        PostgresSchema.of(schema).migrate(setupPool);
    }

    @AfterAll
    static void stop() {
        setupPool.close();
        TestDatabase.dropSchema(schema);
    }

    private static List<EventData> batch(int n) {
        return IntStream.range(0, n).mapToObj(i -> EventData.of("Tick", "{\"i\":" + i + "}")).toList();
    }

    @Test
    void appendsAreAllOrNothingWhenConnectionsDie() throws Exception {
        String app = schema + "_appends";
        int writers = 4;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger kills = new AtomicInteger();
        Set<UUID> succeeded = ConcurrentHashMap.newKeySet();
        List<List<UUID>> uncertain = new CopyOnWriteArrayList<>();
        List<StreamId> streams = IntStream.range(0, writers).mapToObj(i -> StreamId.of("Tick", app + "-" + i)).toList();

        try (HikariDataSource pool = TestDatabase.pool(app, writers);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build()) {
            ExecutorService executor = Executors.newFixedThreadPool(writers + 1);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    StreamId stream = streams.get(w);
                    boolean retrying = w % 2 == 0;
                    done.add(executor.submit(() -> {
                        long version = 0;
                        while (!stop.get()) {
                            List<EventData> events = batch(3);
                            try {
                                if (retrying) {
                                    version = appendRetrying(store, stream, version, events, unavailable);
                                } else {
                                    store.append(stream, ExpectedVersion.any(), events);
                                }
                                events.forEach(e -> succeeded.add(e.eventId()));
                            } catch (StoreUnavailableException e) {
                                unavailable.incrementAndGet();
                                uncertain.add(events.stream().map(EventData::eventId).toList());
                            }
                        }
                        return null;
                    }));
                }
                done.add(executor.submit(() -> {
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while ((kills.get() < 15 || unavailable.get() < 5) && System.nanoTime() < deadline) {
                        Thread.sleep(40);
                        kills.addAndGet(TestDatabase.terminate(app));
                    }
                    stop.set(true);
                    return null;
                }));
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                stop.set(true);
                executor.shutdownNow();
            }
            assertThat(unavailable.get()).as("appends that failed while backends were killed").isPositive();

            // the pool recovers: the store works again
            AppendResult after = store.append(streams.get(0), ExpectedVersion.streamExists(), batch(1));
            assertThat(after.retried()).isFalse();

            Set<UUID> stored = new java.util.HashSet<>();
            for (StreamId stream : streams) {
                List<RecordedEvent> events = store.read(stream);
                assertThat(events).extracting(RecordedEvent::streamVersion)
                        .containsExactlyElementsOf(LongsUpTo.of(events.size()));
                events.forEach(e -> stored.add(e.eventId()));
            }
            assertThat(stored).containsAll(succeeded);
            for (List<UUID> ids : uncertain) {
                long present = ids.stream().filter(stored::contains).count();
                assertThat(present).as("events of one append").isIn(0L, (long) ids.size());
            }
        }
    }

    /** Appends at an exact version, retrying with the same ids after a failure: the documented recovery. */
    private static long appendRetrying(PostgresEventStore store, StreamId stream, long version, List<EventData> events,
                                       AtomicInteger unavailable) throws InterruptedException {
        while (true) {
            try {
                return store.append(stream, ExpectedVersion.exactly(version), events).lastVersion();
            } catch (StoreUnavailableException e) {
                unavailable.incrementAndGet();
                Thread.sleep(10);
            }
        }
    }

    @Test
    void subscriptionsSurviveKilledConnections() throws Exception {
        String app = schema + "_subscriber";
        String category = "Sub" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        int appends = 120;
        List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
        try (HikariDataSource subscriberPool = TestDatabase.pool(app, 3);
             HikariDataSource writerPool = TestDatabase.pool(schema + "_writer", 2);
             PostgresEventStore subscriberStore = PostgresEventStore.builder().dataSource(subscriberPool).schema(schema)
                     .subscriptionOptions(SubscriptionOptions.DEFAULT.withBatchSize(7)
                             .withPollInterval(Duration.ofMillis(200))
                             .withRetry(SubscriptionOptions.DEFAULT.retry().withBackoff(Duration.ofMillis(100),
                                     Duration.ofMillis(200))))
                     .build();
             PostgresEventStore writer = PostgresEventStore.builder().dataSource(writerPool).schema(schema).build()) {
            List<UUID> written = new ArrayList<>();
            try (Subscription subscription = subscriberStore.subscribe(0, EventFilter.categories(category), seen::add)) {
                int killed = 0;
                for (int i = 0; i < appends; i++) {
                    List<EventData> events = batch(2);
                    writer.append(StreamId.of(category, "s" + (i % 5)), ExpectedVersion.any(), events);
                    events.forEach(e -> written.add(e.eventId()));
                    if (i % 10 == 5) {
                        killed += TestDatabase.terminate(app);
                    }
                    Thread.sleep(5);
                }
                assertThat(killed).as("subscriber connections terminated").isPositive();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (seen.size() < written.size() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(subscription.isRunning()).isTrue();
            }
            assertThat(seen.stream().map(RecordedEvent::eventId).collect(Collectors.toList()))
                    .containsExactlyInAnyOrderElementsOf(written);
            assertThat(seen).extracting(RecordedEvent::position).isSorted().doesNotHaveDuplicates();
        }
    }

    /** 1, 2, …, n. */
    private static final class LongsUpTo {
        static List<Long> of(int n) {
            return IntStream.rangeClosed(1, n).mapToObj(i -> (long) i).toList();
        }
    }
}
