package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.Subscription;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills and restarts a nats-server of its own (never the shared one) while several threads append, and
 * checks that every append reported as successful is stored exactly once, with no gaps in any stream.
 */
class NatsServerRestartTest {
    private static final Logger LOG = LoggerFactory.getLogger(NatsServerRestartTest.class);
    private OwnNatsServer server;

    @AfterEach
    void stopServer() throws IOException, InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    /** One logical append: retried with the same ids and expectation until it succeeds. */
    private record Outcome(StreamId stream, List<UUID> ids, AppendResult result) {
    }

    @Test
    void appendsSurviveServerRestartsExactlyOnce() throws Exception {
        server = OwnNatsServer.start();

        List<Outcome> outcomes = new ArrayList<>();
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<StreamId> streams = List.of(StreamId.of("Own", "0"), StreamId.of("Own", "1"), StreamId.of("Shared", "x"));
        try (NatsEventStore store = NatsEventStore.builder().url(server.url())
                .streamName("relato-restart").requestTimeout(Duration.ofSeconds(1)).build()) {
            List<RecordedEvent> delivered = new CopyOnWriteArrayList<>();
            Subscription subscription = store.subscribe(0, EventFilter.all(), delivered::add);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<List<Outcome>>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                StreamId stream = streams.get(Math.min(w, 2));
                boolean exact = w < 2; // the own streams check exact versions, the shared one appends with any
                writers.add(pool.submit(() -> write(store, stream, exact, stop, successes, failures)));
            }
            for (int round = 0; round < 2; round++) {
                awaitCount(successes, successes.get() + 25, writers);
                LOG.info("killing nats-server after {} successful appends", successes.get());
                server.kill();
                Thread.sleep(500);
                server.restart();
            }
            awaitCount(successes, successes.get() + 25, writers);
            stop.set(true);
            for (Future<List<Outcome>> writer : writers) {
                outcomes.addAll(writer.get());
            }
            pool.shutdown();
            LOG.info("{} appends succeeded, {} attempts failed while the server was away", successes.get(), failures.get());

            assertThat(failures.get()).as("appends failed while the server was down").isPositive();
            List<RecordedEvent> log = store.readAll(GlobalRead.fromStart()).toList();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (delivered.size() < log.size() && subscription.isRunning() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(delivered).as("the subscription delivered the whole log once, in order, across restarts")
                    .containsExactlyElementsOf(log);
            subscription.close();
            for (StreamId stream : streams) {
                List<RecordedEvent> events = store.read(stream);
                assertThat(events).extracting(RecordedEvent::streamVersion)
                        .containsExactlyElementsOf(versionsUpTo(events.size()));
                Map<UUID, RecordedEvent> byId = events.stream()
                        .collect(Collectors.toMap(RecordedEvent::eventId, Function.identity()));
                assertThat(byId).as("no event stored twice").hasSize(events.size());
                List<Outcome> mine = outcomes.stream().filter(o -> o.stream().equals(stream)).toList();
                assertThat(mine.stream().mapToInt(o -> o.ids().size()).sum())
                        .as("every stored event belongs to exactly one successful append").isEqualTo(events.size());
                for (Outcome outcome : mine) {
                    for (int i = 0; i < outcome.ids().size(); i++) {
                        RecordedEvent stored = byId.get(outcome.ids().get(i));
                        assertThat(stored).as("event of a successful append").isNotNull();
                        assertThat(stored.streamVersion()).isEqualTo(outcome.result().firstVersion() + i);
                        assertThat(stored.position()).isEqualTo(outcome.result().firstPosition() + i);
                    }
                }
            }
        }
    }

    private static List<Long> versionsUpTo(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> (long) i).toList();
    }

    private static List<Outcome> write(NatsEventStore store, StreamId stream, boolean exact, AtomicBoolean stop,
                                       AtomicInteger successes, AtomicInteger failures) throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        long version = 0;
        int n = 0;
        while (!stop.get()) {
            List<EventData> batch = IntStream.rangeClosed(0, n++ % 3)
                    .mapToObj(i -> EventData.of("Ticked", "{\"i\":" + i + "}")).toList();
            ExpectedVersion expected = exact ? ExpectedVersion.exactly(version) : ExpectedVersion.any();
            while (true) {
                try {
                    AppendResult result = store.append(stream, expected, batch);
                    outcomes.add(new Outcome(stream, batch.stream().map(EventData::eventId).toList(), result));
                    version = result.lastVersion();
                    successes.incrementAndGet();
                    break;
                } catch (StoreUnavailableException e) {
                    if (failures.incrementAndGet() <= 3) {
                        LOG.info("append failed while the server was away: {}", e.getMessage());
                    }
                    Thread.sleep(100);
                }
            }
        }
        return outcomes;
    }

    private static void awaitCount(AtomicInteger counter, int target, List<? extends Future<?>> writers)
            throws Exception {
        while (counter.get() < target) {
            for (Future<?> writer : writers) {
                if (writer.isDone()) {
                    writer.get(); // surfaces a writer's unexpected failure
                }
            }
            Thread.sleep(20);
        }
    }
}
