package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writers appending while servers fail: each on a store instance of its own (so with a connection of its own, which
 * must reconnect by itself) and a stream of its own, one to three events per append with the exact version it
 * expects. An append that fails transiently is retried with the same event ids and expectation until it is
 * acknowledged; every fifth acknowledged append is sent once more and must come back as a retry of itself. Then
 * {@link #verify} checks that every acknowledged append is stored exactly once, in order.
 */
final class AppendingWriters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppendingWriters.class);
    /** How long reading the appends back may fail transiently after a failover. */
    private static final Duration READABLE_WITHIN = Duration.ofSeconds(60);
    /** How long one append may keep failing before the writer gives up (and fails the test). */
    private static final Duration GIVE_UP = Duration.ofSeconds(90);
    /** How long {@link #awaitAcknowledged} waits at most. */
    private static final Duration AWAIT = Duration.ofSeconds(120);

    /** One acknowledged append. */
    record Outcome(StreamId stream, List<UUID> ids, AppendResult result) {
    }

    private final List<NatsEventStore> stores = new ArrayList<>();
    private final String label;
    private final ExecutorService pool;
    private final List<Future<List<Outcome>>> running = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicIntegerArray acknowledgedBy;
    private final AtomicLong events = new AtomicLong();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicLong longestStallNanos = new AtomicLong();

    /**
     * Builds {@code count} stores, each with the builder {@code settings} gives for its writer's number, and starts a
     * writer on each.
     *
     * @param label the streams' category, so that writers of several runs on one JetStream stream stay apart
     */
    static AppendingWriters start(int count, String label, IntFunction<NatsEventStore.Builder> settings) {
        AppendingWriters writers = new AppendingWriters(count, label);
        try {
            for (int w = 0; w < count; w++) {
                writers.stores.add(settings.apply(w).build());
            }
            for (int w = 0; w < count; w++) {
                NatsEventStore store = writers.stores.get(w);
                StreamId stream = StreamId.of(label, "writer-" + w);
                int writer = w;
                writers.running.add(writers.pool.submit(() -> writers.write(writer, store, stream)));
            }
        } catch (RuntimeException e) {
            writers.close();
            throw e;
        }
        return writers;
    }

    private AppendingWriters(int count, String label) {
        this.label = label;
        this.acknowledgedBy = new AtomicIntegerArray(count);
        this.pool = Executors.newFixedThreadPool(count, r -> {
            Thread t = new Thread(r, "writer-" + label);
            t.setDaemon(true);
            return t;
        });
    }

    /** Appends acknowledged so far. */
    int acknowledged() {
        return acknowledged.get();
    }

    /** Attempts that failed transiently so far (and were retried). */
    int failures() {
        return failures.get();
    }

    /** The longest time from an append's first attempt to its acknowledgment so far. */
    Duration longestStall() {
        return Duration.ofNanos(longestStallNanos.get());
    }

    /**
     * Waits until every writer has had {@code more} appends more than now acknowledged; surfaces a writer's failure.
     */
    void awaitMore(int more) throws Exception {
        int[] targets = new int[acknowledgedBy.length()];
        for (int w = 0; w < targets.length; w++) {
            targets[w] = acknowledgedBy.get(w) + more;
        }
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!reached(targets)) {
            for (Future<?> writer : running) {
                if (writer.isDone()) {
                    writer.get(); // a writer ended early: its failure fails the test
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("writers acknowledged " + acknowledgedBy + " appends, not "
                        + Arrays.toString(targets) + ", within " + AWAIT);
            }
            Thread.sleep(10);
        }
    }

    private boolean reached(int[] targets) {
        for (int w = 0; w < targets.length; w++) {
            if (acknowledgedBy.get(w) < targets[w]) {
                return false;
            }
        }
        return true;
    }

    /** Events acknowledged per second over {@code window} (a measurement, never asserted). */
    double eventRate(Duration window) throws InterruptedException {
        long before = events.get();
        long start = System.nanoTime();
        Thread.sleep(window.toMillis());
        return (events.get() - before) * 1e9 / (System.nanoTime() - start);
    }

    /** Stops the writers after their append in progress and returns what they had acknowledged. */
    List<Outcome> stop() throws Exception {
        stop.set(true);
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<List<Outcome>> writer : running) {
            outcomes.addAll(writer.get(GIVE_UP.toSeconds() * 2, TimeUnit.SECONDS));
        }
        LOG.info("{} writers: {} appends acknowledged, {} attempts failed transiently, longest stall {} ms", label,
                acknowledged.get(), failures.get(), longestStall().toMillis());
        return outcomes;
    }

    private List<Outcome> write(int writer, NatsEventStore store, StreamId stream) throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        long version = 0;
        for (int n = 0; !stop.get(); n++) {
            List<EventData> batch = new ArrayList<>();
            for (int i = 0; i <= n % 3; i++) {
                batch.add(EventData.of("Ticked", "{\"n\":" + n + ",\"i\":" + i + "}"));
            }
            ExpectedVersion expected = ExpectedVersion.exactly(version);
            AppendResult result = appendUntilAcknowledged(store, stream, expected, batch);
            outcomes.add(new Outcome(stream, batch.stream().map(EventData::eventId).toList(), result));
            version = result.lastVersion();
            acknowledged.incrementAndGet();
            acknowledgedBy.incrementAndGet(writer);
            events.addAndGet(batch.size());
            if (n % 5 == 4) {
                AppendResult again = appendUntilAcknowledged(store, stream, expected, batch);
                assertThat(again.retried()).as("the same append sent again is a retry of itself").isTrue();
                assertThat(again.firstPosition()).isEqualTo(result.firstPosition());
                assertThat(again.lastVersion()).isEqualTo(result.lastVersion());
            }
        }
        return outcomes;
    }

    private AppendResult appendUntilAcknowledged(NatsEventStore store, StreamId stream, ExpectedVersion expected,
                                                 List<EventData> batch) throws InterruptedException {
        long first = System.nanoTime();
        long wait = 50;
        while (true) {
            try {
                AppendResult result = store.append(stream, expected, batch);
                longestStallNanos.accumulateAndGet(System.nanoTime() - first, Math::max);
                return result;
            } catch (StoreUnavailableException e) {
                int failed = failures.incrementAndGet();
                if (failed <= 5 || failed % 20 == 0) {
                    LOG.info("append to {} failed transiently, retrying: {}", stream, e.getMessage());
                }
                if (System.nanoTime() - first > GIVE_UP.toNanos()) {
                    throw new AssertionError("an append to " + stream + " kept failing for " + GIVE_UP, e);
                }
                Thread.sleep(ThreadLocalRandom.current().nextLong(wait / 2, wait + 1));
                wait = Math.min(500, wait * 2);
            }
        }
    }

    /**
     * Checks, through {@code reader}, that every writer's stream holds exactly its acknowledged appends, in order,
     * each event once at the version and position it was acknowledged with, and that the global log holds each of
     * them once, in each stream's order.
     */
    void verify(NatsEventStore reader, List<Outcome> outcomes) throws InterruptedException {
        // Right after a node was killed the cluster may still be electing leaders (of the key-value buckets the
        // log's reads consult too): a read may fail transiently then, as the store documents, and is tried again.
        long deadline = System.nanoTime() + READABLE_WITHIN.toNanos();
        while (true) {
            try {
                check(reader, outcomes);
                return;
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.info("reading back failed transiently, trying again: {}", e.getMessage());
                Thread.sleep(500);
            }
        }
    }

    private void check(NatsEventStore reader, List<Outcome> outcomes) {
        Map<StreamId, List<Outcome>> byStream = outcomes.stream().collect(Collectors.groupingBy(Outcome::stream));
        Map<UUID, RecordedEvent> logged = new HashMap<>();
        Map<StreamId, Long> lastVersion = new HashMap<>();
        try (var log = reader.readAll(GlobalRead.fromStart())) {
            log.filter(e -> e.streamId().category().equals(label)).forEach(e -> {
                assertThat(logged.put(e.eventId(), e)).as("event %s once in the global log", e.eventId()).isNull();
                long previous = lastVersion.getOrDefault(e.streamId(), 0L);
                assertThat(e.streamVersion()).as("the global log keeps %s in order", e.streamId()).isEqualTo(previous + 1);
                lastVersion.put(e.streamId(), e.streamVersion());
            });
        }
        long expectedEvents = 0;
        for (Map.Entry<StreamId, List<Outcome>> entry : byStream.entrySet()) {
            List<RecordedEvent> stored = reader.read(entry.getKey());
            List<UUID> acknowledgedIds = entry.getValue().stream().flatMap(o -> o.ids().stream()).toList();
            assertThat(stored).extracting(RecordedEvent::eventId).as("stream %s holds exactly its acknowledged appends",
                    entry.getKey()).containsExactlyElementsOf(acknowledgedIds);
            for (Outcome outcome : entry.getValue()) {
                for (int i = 0; i < outcome.ids().size(); i++) {
                    RecordedEvent event = logged.get(outcome.ids().get(i));
                    assertThat(event).as("acknowledged event in the global log").isNotNull();
                    assertThat(event.streamVersion()).isEqualTo(outcome.result().firstVersion() + i);
                    assertThat(event.position()).isEqualTo(outcome.result().firstPosition() + i);
                }
            }
            expectedEvents += acknowledgedIds.size();
        }
        assertThat(logged).as("the global log holds nothing but acknowledged events").hasSize((int) expectedEvents);
    }

    @Override
    public void close() {
        stop.set(true);
        pool.shutdownNow();
        stores.forEach(NatsEventStore::close);
    }
}
