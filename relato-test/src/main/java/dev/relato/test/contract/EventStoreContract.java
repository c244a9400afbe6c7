package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidEventException;
import dev.relato.InvalidInputException;
import dev.relato.Metadata;
import dev.relato.PayloadReads.StoredPayload;
import dev.relato.PayloadReads;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionState;
import dev.relato.WrongExpectedVersionException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link EventStore} keeps, as a JUnit 5 test suite. A backend proves itself by one
 * small subclass that says how to make a store:
 *
 * <pre>{@code
 * class SqlEventStoreContractTest extends EventStoreContract {
 *     protected EventStore createStore() {
 *         return SqlEventStore.builder(dataSource).schema(newSchemaName()).build();
 *     }
 *     protected void destroyStore(EventStore store) {
 *         store.close();
 *         dropSchema();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifecycle</b>: {@link #createStore()} is called before <em>every</em> test and must return a new,
 * empty store isolated from every other (its own schema, file, table prefix or stream names);
 * {@link #destroyStore(EventStore)} is called after every test, including failed ones, and by default
 * closes the store. Tests may close the store themselves, so {@code close()} must be idempotent and the
 * hook must not need the store to be open. The tests are grouped by concern in {@link Nested} classes
 * (expected version, idempotency, concurrent writers, per-stream order, stream reads, global log, subscriptions, bad input,
 * envelope round trip), which the subclass inherits: JUnit runs them all. Surefire names a group after the
 * subclass ("SqliteEventStoreContractTest bad input") when its JUnit 5 reporters use phrased class names, as
 * Relato's build configures them; the default reporters name it {@code EventStoreContract$<Group>} whatever the
 * store.
 *
 * <p>The store's own limits come from the store: the size tests use {@link EventStore#maxEventBytes()}.
 * Concurrent tests are sized to finish in seconds on any backend and never assert on timings: waits are
 * bounded only to fail rather than hang.
 */
public abstract class EventStoreContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CATCH_UP_LIMIT = Await.LIMIT;

    private EventStore store;

    /** For the subclass of a store module. */
    protected EventStoreContract() {
    }

    /** A new, empty store, isolated from every other store this method returns. */
    protected abstract EventStore createStore();

    /**
     * Releases what {@link #createStore()} made (drop the schema, delete the file, remove the streams).
     * Called after every test with the store it used, which may already be closed. The default closes it.
     */
    protected void destroyStore(EventStore store) {
        store.close();
    }

    /** The store of the running test, for tests a backend adds in its subclass. */
    protected final EventStore store() {
        return store;
    }

    @BeforeEach
    protected final void createStoreUnderTest() {
        store = createStore();
        assertThat(store).as("createStore() returned null").isNotNull();
    }

    @AfterEach
    protected final void destroyStoreUnderTest() {
        if (store != null) {
            destroyStore(store);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Helpers shared by the groups

    private static StreamId stream(String category) {
        return StreamId.of(category, UUID.randomUUID().toString());
    }

    private static EventData event(String type) {
        return event(type, "{\"id\":\"" + UUID.randomUUID() + "\"}");
    }

    private static EventData event(String type, String payload) {
        return EventData.of(type, payload);
    }

    private static List<EventData> events(String type, int count) {
        List<EventData> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(event(type, "{\"n\":" + i + "}"));
        }
        return list;
    }

    private static List<UUID> ids(List<?> events) {
        return events.stream().map(e -> e instanceof RecordedEvent r ? r.eventId() : ((EventData) e).eventId())
                .collect(Collectors.toList());
    }

    private static List<Long> versions(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::streamVersion).collect(Collectors.toList());
    }

    private static List<Long> positions(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::position).collect(Collectors.toList());
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().collect(Collectors.toList());
    }

    private static List<Long> rangeDown(long fromInclusive, long toInclusive) {
        return LongStream.iterate(fromInclusive, v -> v >= toInclusive, v -> v - 1).boxed().collect(Collectors.toList());
    }

    private List<RecordedEvent> readAll(GlobalRead read) {
        try (Stream<RecordedEvent> events = store.readAll(read)) {
            return events.collect(Collectors.toList());
        }
    }

    private List<RecordedEvent> readAll() {
        return readAll(GlobalRead.fromStart());
    }

    private static void assertStrictlyRising(List<Long> positions) {
        for (int i = 1; i < positions.size(); i++) {
            assertThat(positions.get(i)).as("position at index %d of %s", i, positions)
                    .isGreaterThan(positions.get(i - 1));
        }
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static void assertSameJson(String actual, String expected) {
        assertThat(tree(actual)).as("payload %s", actual).isEqualTo(tree(expected));
    }

    /** The stream's events and the head position, to prove that something changed nothing. */
    private record State(List<RecordedEvent> events, long version, long head) {
    }

    private State state(StreamId stream) {
        return new State(store.read(stream), store.streamVersion(stream), store.headPosition());
    }

    private Subscription subscribe(long after, EventFilter filter, RecordingListener listener) {
        Subscription subscription = store.subscribe(after, filter, listener);
        assertThat(subscription).as("subscribe returned null").isNotNull();
        return subscription;
    }

    /** Waits until the subscription says it caught up and its listener has been told so. */
    private static void awaitCaughtUp(Subscription subscription, RecordingListener listener) {
        try {
            assertThat(subscription.awaitCaughtUp(CATCH_UP_LIMIT)).as("subscription caught up").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        Await.until("the listener was told of the end of catch-up", () -> listener.caughtUpCalls() > 0,
                listener::toString);
    }

    private static void awaitCount(RecordingListener listener, int count) {
        Await.until("the subscription has delivered " + count + " events", () -> listener.count() >= count,
                listener::toString);
    }

    // ---------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("a new store is empty")
    void newStoreIsEmpty() {
        assertThat(store.headPosition()).isZero();
        assertThat(readAll()).isEmpty();
    }

    @Nested
    @DisplayName("expected version")
    class ExpectedVersions {

        @Test
        @DisplayName("appending creates the stream at versions 1..n and reports versions and positions")
        void appendCreatesStream() {
            StreamId s = stream("Order");
            AppendResult first = store.append(s, ExpectedVersion.noStream(), events("Placed", 3));
            AppendResult second = store.append(s, ExpectedVersion.exactly(3), events("Paid", 2));

            assertThat(first.stream()).isEqualTo(s);
            assertThat(first.firstVersion()).isEqualTo(1);
            assertThat(first.lastVersion()).isEqualTo(3);
            assertThat(first.retried()).isFalse();
            assertThat(second.firstVersion()).isEqualTo(4);
            assertThat(second.lastVersion()).isEqualTo(5);
            assertThat(second.firstPosition()).isGreaterThan(first.lastPosition());
            assertThat(store.streamVersion(s)).isEqualTo(5);
            assertThat(store.exists(s)).isTrue();
            assertThat(store.headPosition()).isEqualTo(second.lastPosition());

            List<RecordedEvent> read = store.read(s);
            assertThat(versions(read)).isEqualTo(range(1, 5));
            assertThat(read.get(0).position()).isEqualTo(first.firstPosition());
            assertThat(read.get(2).position()).isEqualTo(first.lastPosition());
            assertThat(read.get(3).position()).isEqualTo(second.firstPosition());
            assertThat(read.get(4).position()).isEqualTo(second.lastPosition());
            assertThat(first.firstPosition()).isPositive();
        }

        @Test
        @DisplayName("any() appends whatever the stream's version")
        void any() {
            StreamId s = stream("Order");
            assertThat(store.append(s, ExpectedVersion.any(), events("A", 1)).lastVersion()).isEqualTo(1);
            assertThat(store.append(s, ExpectedVersion.any(), events("B", 2)).lastVersion()).isEqualTo(3);
        }

        @Test
        @DisplayName("noStream() fails once the stream exists, with the actual version")
        void noStream() {
            StreamId s = stream("Order");
            store.append(s, ExpectedVersion.noStream(), events("A", 2));
            List<EventData> rejected = events("B", 1);

            assertThatThrownBy(() -> store.append(s, ExpectedVersion.noStream(), rejected))
                    .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                        assertThat(e.stream()).isEqualTo(s);
                        assertThat(e.expected()).isEqualTo(ExpectedVersion.noStream());
                        assertThat(e.actualVersion()).isEqualTo(2);
                    });
            assertThat(store.streamVersion(s)).isEqualTo(2);
            assertThat(store.append(s, ExpectedVersion.exactly(2), rejected).retried())
                    .as("the rejected events were not stored, so they append as new").isFalse();
        }

        @Test
        @DisplayName("streamExists() fails on a missing stream with actual version 0")
        void streamExists() {
            StreamId s = stream("Order");
            assertThatThrownBy(() -> store.append(s, ExpectedVersion.streamExists(), events("A", 1)))
                    .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                        assertThat(e.stream()).isEqualTo(s);
                        assertThat(e.expected()).isEqualTo(ExpectedVersion.streamExists());
                        assertThat(e.actualVersion()).isZero();
                    });
            assertThat(store.exists(s)).isFalse();
            assertThat(store.headPosition()).isZero();

            store.append(s, ExpectedVersion.any(), events("A", 1));
            assertThat(store.append(s, ExpectedVersion.streamExists(), events("B", 1)).lastVersion()).isEqualTo(2);
        }

        @Test
        @DisplayName("exactly(n) appends only at version n; a mismatch names the actual version and writes nothing")
        void exactly() {
            StreamId s = stream("Order");
            store.append(s, ExpectedVersion.noStream(), events("A", 3));
            State before = state(s);

            for (long wrong : new long[] {1, 2, 4, 10}) {
                assertThatThrownBy(() -> store.append(s, ExpectedVersion.exactly(wrong), events("B", 2)))
                        .as("exactly(%d) on a stream at 3", wrong)
                        .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                            assertThat(e.stream()).isEqualTo(s);
                            assertThat(e.expected()).isEqualTo(ExpectedVersion.exactly(wrong));
                            assertThat(e.actualVersion()).isEqualTo(3);
                            assertThat(e.getMessage()).contains(s.toString());
                        });
            }
            assertThat(state(s)).isEqualTo(before);
            assertThat(store.append(s, ExpectedVersion.exactly(3), events("B", 1)).lastVersion()).isEqualTo(4);
        }

        @Test
        @DisplayName("exactly(n) on a missing stream fails with actual version 0; exactly(0) creates it")
        void exactlyOnMissingStream() {
            StreamId s = stream("Order");
            assertThatThrownBy(() -> store.append(s, ExpectedVersion.exactly(1), events("A", 1)))
                    .isInstanceOfSatisfying(WrongExpectedVersionException.class,
                            e -> assertThat(e.actualVersion()).isZero());
            assertThat(store.exists(s)).isFalse();
            assertThat(store.append(s, ExpectedVersion.exactly(0), events("A", 1)).lastVersion()).isEqualTo(1);
        }

        @Test
        @DisplayName("streams are independent: versions, expectations and reads")
        void streamsAreIndependent() {
            StreamId a = stream("Order");
            StreamId b = stream("Order");
            store.append(a, ExpectedVersion.noStream(), events("A", 2));
            store.append(b, ExpectedVersion.noStream(), events("B", 1));
            store.append(a, ExpectedVersion.exactly(2), events("A", 1));

            assertThat(store.streamVersion(a)).isEqualTo(3);
            assertThat(store.streamVersion(b)).isEqualTo(1);
            assertThat(store.read(a)).extracting(RecordedEvent::type).containsOnly("A");
            assertThat(store.read(b)).extracting(RecordedEvent::type).containsOnly("B");
            assertThat(store.read(b)).extracting(RecordedEvent::streamId).containsOnly(b);
        }
    }

    @Nested
    @DisplayName("idempotency")
    class Idempotency {

        @Test
        @DisplayName("retrying an append with any() returns the original result and writes nothing")
        void retryWithAny() {
            StreamId s = stream("Order");
            store.append(s, ExpectedVersion.any(), events("Before", 1));
            List<EventData> batch = events("Placed", 3);
            AppendResult original = store.append(s, ExpectedVersion.any(), batch);
            State after = state(s);

            AppendResult retry = store.append(s, ExpectedVersion.any(), batch);

            assertThat(retry.retried()).isTrue();
            assertThat(retry).isEqualTo(new AppendResult(s, original.firstVersion(), original.lastVersion(),
                    original.firstPosition(), original.lastPosition(), true, original.events()));
            assertThat(state(s)).isEqualTo(after);
        }

        @Test
        @DisplayName("a retry with the original expected version succeeds even after the stream moved on")
        void retryAfterStreamMovedOn() {
            StreamId s = stream("Order");
            List<EventData> created = events("Created", 2);
            AppendResult original = store.append(s, ExpectedVersion.noStream(), created);
            List<EventData> updated = events("Updated", 1);
            AppendResult second = store.append(s, ExpectedVersion.exactly(2), updated);
            store.append(s, ExpectedVersion.exactly(3), events("Later", 1));
            State before = state(s);

            AppendResult retriedCreate = store.append(s, ExpectedVersion.noStream(), created);
            AppendResult retriedUpdate = store.append(s, ExpectedVersion.exactly(2), updated);

            assertThat(retriedCreate.retried()).isTrue();
            assertThat(retriedCreate.firstVersion()).isEqualTo(1);
            assertThat(retriedCreate.lastVersion()).isEqualTo(2);
            assertThat(retriedCreate.firstPosition()).isEqualTo(original.firstPosition());
            assertThat(retriedCreate.lastPosition()).isEqualTo(original.lastPosition());
            assertThat(retriedUpdate).isEqualTo(new AppendResult(s, 3, 3, second.firstPosition(),
                    second.lastPosition(), true, second.events()));
            assertThat(state(s)).isEqualTo(before);
        }

        @Test
        @DisplayName("the same ids appended to another stream are a duplicate, and nothing is written")
        void sameIdsToAnotherStream() {
            StreamId s = stream("Order");
            StreamId other = stream("Order");
            List<EventData> batch = events("Placed", 2);
            store.append(s, ExpectedVersion.any(), batch);
            long head = store.headPosition();

            assertThatThrownBy(() -> store.append(other, ExpectedVersion.any(), batch))
                    .isInstanceOfSatisfying(DuplicateEventException.class, e -> {
                        assertThat(e.stream()).isEqualTo(other);
                        assertThat(ids(batch)).contains(e.eventId());
                    });
            assertThat(store.exists(other)).isFalse();
            assertThat(store.headPosition()).isEqualTo(head);
        }

        @Test
        @DisplayName("the same ids at another version of the same stream are a duplicate")
        void sameIdsAtAnotherVersion() {
            StreamId s = stream("Order");
            List<EventData> batch = events("Placed", 1);
            store.append(s, ExpectedVersion.noStream(), batch);
            store.append(s, ExpectedVersion.exactly(1), events("Other", 1));
            State before = state(s);

            assertThatThrownBy(() -> store.append(s, ExpectedVersion.exactly(2), batch))
                    .isInstanceOf(DuplicateEventException.class);
            assertThatThrownBy(() -> store.append(s, ExpectedVersion.streamExists(), batch))
                    .as("streamExists() cannot have preceded version 1").isInstanceOf(DuplicateEventException.class);
            assertThat(state(s)).isEqualTo(before);
        }

        @Test
        @DisplayName("part of a batch, a batch in another order, or old ids mixed with new ones are duplicates")
        void partialOverlap() {
            StreamId s = stream("Order");
            List<EventData> batch = events("Placed", 3);
            store.append(s, ExpectedVersion.any(), batch);
            State before = state(s);
            EventData fresh = event("Fresh");

            List<List<EventData>> attempts = List.of(
                    batch.subList(0, 2),
                    batch.subList(1, 3),
                    List.of(batch.get(2), batch.get(1), batch.get(0)),
                    List.of(batch.get(0), batch.get(1), batch.get(2), fresh),
                    List.of(fresh, batch.get(0)));
            for (List<EventData> attempt : attempts) {
                assertThatThrownBy(() -> store.append(s, ExpectedVersion.any(), attempt))
                        .as("append of %s", attempt).isInstanceOf(DuplicateEventException.class);
                assertThat(state(s)).isEqualTo(before);
            }
            assertThat(store.append(s, ExpectedVersion.exactly(3), List.of(fresh)).retried())
                    .as("the fresh event of the rejected appends was not stored").isFalse();
        }

        @Test
        @DisplayName("concurrent retries of one append write it once; every caller gets its result")
        void concurrentRetries() {
            StreamId s = stream("Order");
            List<EventData> batch = events("Placed", 2);
            ConcurrentLinkedQueue<AppendResult> results = new ConcurrentLinkedQueue<>();

            Concurrently.run(8, w -> results.add(store.append(s, ExpectedVersion.noStream(), batch)));

            assertThat(results).hasSize(8);
            assertThat(results).filteredOn(r -> !r.retried()).hasSize(1);
            assertThat(results).extracting(r -> List.of(r.firstVersion(), r.lastVersion(), r.firstPosition(),
                    r.lastPosition())).containsOnly(List.of(1L, 2L, results.peek().firstPosition(),
                    results.peek().lastPosition()));
            assertThat(ids(store.read(s))).isEqualTo(ids(batch));
            assertThat(readAll()).hasSize(2);
        }
    }

    @Nested
    @DisplayName("concurrent writers")
    class ConcurrentWriters {

        @Test
        @DisplayName("32 writers on one stream with exact versions: versions 1..n, no gaps, every loser told the actual version")
        void oneStreamManyWriters() {
            int writers = 32;
            int appendsEach = 10;
            StreamId s = stream("Counter");
            ConcurrentLinkedQueue<UUID> written = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<long[]> conflicts = new ConcurrentLinkedQueue<>();

            Concurrently.run(writers, w -> {
                for (int i = 0; i < appendsEach; i++) {
                    EventData e = event("Incremented", "{\"writer\":" + w + ",\"i\":" + i + "}");
                    while (true) {
                        long version = store.streamVersion(s);
                        try {
                            AppendResult r = store.append(s, ExpectedVersion.exactly(version), List.of(e));
                            assertThat(r.firstVersion()).isEqualTo(version + 1);
                            assertThat(r.retried()).isFalse();
                            written.add(e.eventId());
                            break;
                        } catch (WrongExpectedVersionException conflict) {
                            assertThat(conflict.stream()).isEqualTo(s);
                            assertThat(conflict.expected()).isEqualTo(ExpectedVersion.exactly(version));
                            conflicts.add(new long[] {version, conflict.actualVersion()});
                        }
                    }
                }
            });

            int total = writers * appendsEach;
            List<RecordedEvent> read = store.read(s);
            assertThat(versions(read)).isEqualTo(range(1, total));
            assertThat(new HashSet<>(ids(read))).hasSize(total).isEqualTo(new HashSet<>(written));
            assertStrictlyRising(positions(read));
            assertThat(store.streamVersion(s)).isEqualTo(total);
            for (long[] c : conflicts) {
                assertThat(c[1]).as("actual version reported to a writer that expected %d", c[0])
                        .isGreaterThanOrEqualTo(c[0] + 1).isLessThanOrEqualTo(total);
                assertThat(read.get((int) c[1] - 1).streamVersion()).isEqualTo(c[1]);
            }
        }

        @Test
        @DisplayName("of many writers creating the same stream with noStream(), exactly one wins")
        void racingCreators() {
            StreamId s = stream("Order");
            ConcurrentLinkedQueue<UUID> winners = new ConcurrentLinkedQueue<>();
            AtomicInteger losers = new AtomicInteger();

            Concurrently.run(16, w -> {
                EventData e = event("Created");
                try {
                    store.append(s, ExpectedVersion.noStream(), List.of(e));
                    winners.add(e.eventId());
                } catch (WrongExpectedVersionException conflict) {
                    assertThat(conflict.actualVersion()).isEqualTo(1);
                    losers.incrementAndGet();
                }
            });

            assertThat(winners).hasSize(1);
            assertThat(losers).hasValue(15);
            assertThat(ids(store.read(s))).containsExactly(winners.peek());
        }

        @Test
        @DisplayName("a concurrent reader never sees part of a multi-event append")
        void appendsAreAtomic() throws Exception {
            int batch = 3;
            int batches = 40;
            StreamId s = stream("Atomic");
            AtomicBoolean writing = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
            AtomicInteger reads = new AtomicInteger();

            Concurrently.Running readers = Concurrently.start(2, r -> {
                while (writing.get() || reads.get() < 4) {
                    List<RecordedEvent> events = store.read(s);
                    long version = store.streamVersion(s);
                    List<RecordedEvent> logged = readAll(GlobalRead.fromStart().filter(EventFilter.categories("Atomic")));
                    if (events.size() % batch != 0 || version % batch != 0 || logged.size() % batch != 0) {
                        torn.add("stream read " + events.size() + ", version " + version + ", global " + logged.size());
                    }
                    assertThat(versions(events)).isEqualTo(range(1, events.size()));
                    reads.incrementAndGet();
                }
            });
            try {
                for (int i = 0; i < batches; i++) {
                    store.append(s, ExpectedVersion.exactly((long) i * batch), events("Part", batch));
                }
            } finally {
                writing.set(false);
            }
            readers.await();

            assertThat(torn).as("reads that saw part of an append").isEmpty();
            assertThat(store.streamVersion(s)).isEqualTo((long) batch * batches);
        }

        @Test
        @DisplayName("writers on their own streams all succeed, and the global log holds each event once")
        void manyStreamsManyWriters() {
            int writers = 8;
            int appendsEach = 10;
            StreamId[] streams = new StreamId[writers];
            for (int w = 0; w < writers; w++) {
                streams[w] = stream("Account");
            }

            Concurrently.run(writers, w -> {
                long version = 0;
                for (int i = 0; i < appendsEach; i++) {
                    AppendResult r = store.append(streams[w], ExpectedVersion.exactly(version), events("Moved", 2));
                    assertThat(r.firstVersion()).isEqualTo(version + 1);
                    assertThat(r.lastPosition()).isGreaterThan(r.firstPosition());
                    version = r.lastVersion();
                }
            });

            List<RecordedEvent> all = readAll();
            assertThat(all).hasSize(writers * appendsEach * 2);
            assertStrictlyRising(positions(all));
            assertThat(new HashSet<>(ids(all))).hasSize(all.size());
            for (StreamId s : streams) {
                List<RecordedEvent> read = store.read(s);
                assertThat(versions(read)).isEqualTo(range(1, appendsEach * 2));
                assertThat(all.stream().filter(e -> e.streamId().equals(s)).collect(Collectors.toList()))
                        .isEqualTo(read);
            }
            assertThat(store.headPosition()).isEqualTo(all.get(all.size() - 1).position());
        }

        @Test
        @DisplayName("a reader following the log while writers append never skips an event")
        void tailingReaderSkipsNothing() {
            int writers = 8;
            int appendsEach = 15;
            List<RecordedEvent> seen = new ArrayList<>();

            Concurrently.Running running = Concurrently.start(writers, w -> {
                StreamId s = stream("Tail");
                for (int i = 0; i < appendsEach; i++) {
                    store.append(s, ExpectedVersion.any(), events("Tick", 1 + i % 2));
                }
            });
            try {
                while (true) {
                    boolean last = running.isDone();
                    long after = seen.isEmpty() ? 0 : seen.get(seen.size() - 1).position();
                    seen.addAll(readAll(GlobalRead.after(after).batchSize(7)));
                    if (last) {
                        break;
                    }
                }
            } finally {
                running.await();
            }

            assertStrictlyRising(positions(seen));
            assertThat(ids(seen)).isEqualTo(ids(readAll()));
            assertThat(seen).hasSize(writers * IntStream.range(0, appendsEach).map(i -> 1 + i % 2).sum());
        }
    }

    @Nested
    @DisplayName("per-stream order in the global log")
    class PerStreamOrder extends PerStreamOrderContract {
        @Override
        protected EventStore store() {
            return store;
        }
    }

    @Nested
    @DisplayName("stream reads")
    class StreamReads {
        private StreamId s;
        private List<RecordedEvent> all;

        @BeforeEach
        void tenEvents() {
            s = stream("Order");
            store.append(s, ExpectedVersion.noStream(), events("First", 4));
            store.append(stream("Order"), ExpectedVersion.noStream(), events("Elsewhere", 2));
            store.append(s, ExpectedVersion.exactly(4), events("Second", 6));
            all = store.read(s);
        }

        private List<Long> read(StreamRead read) {
            return versions(store.read(s, read));
        }

        @Test
        @DisplayName("the whole stream, oldest first, only its own events")
        void whole() {
            assertThat(versions(all)).isEqualTo(range(1, 10));
            assertThat(all).extracting(RecordedEvent::streamId).containsOnly(s);
            assertThat(store.read(s, StreamRead.forwards())).isEqualTo(all);
        }

        @Test
        @DisplayName("forwards ranges and limits")
        void forwards() {
            assertThat(read(StreamRead.forwards().from(4))).isEqualTo(range(4, 10));
            assertThat(read(StreamRead.forwards().from(4).to(6))).isEqualTo(range(4, 6));
            assertThat(read(StreamRead.forwards().to(5))).as("as of version 5").isEqualTo(range(1, 5));
            assertThat(read(StreamRead.forwards().limit(3))).isEqualTo(range(1, 3));
            assertThat(read(StreamRead.forwards().from(4).limit(2))).isEqualTo(range(4, 5));
            assertThat(read(StreamRead.forwards().from(9).limit(5))).isEqualTo(range(9, 10));
            assertThat(read(StreamRead.forwards().from(10).to(10))).containsExactly(10L);
            assertThat(read(StreamRead.forwards().from(11))).isEmpty();
            assertThat(read(StreamRead.forwards().from(6).to(5))).isEmpty();
            assertThat(read(StreamRead.forwards().to(100))).isEqualTo(range(1, 10));
        }

        @Test
        @DisplayName("backwards ranges and limits")
        void backwards() {
            assertThat(read(StreamRead.backwards())).isEqualTo(rangeDown(10, 1));
            assertThat(read(StreamRead.backwards().limit(3))).isEqualTo(rangeDown(10, 8));
            assertThat(read(StreamRead.backwards().from(7))).isEqualTo(rangeDown(7, 1));
            assertThat(read(StreamRead.backwards().from(7).to(5))).isEqualTo(rangeDown(7, 5));
            assertThat(read(StreamRead.backwards().from(7).limit(2))).isEqualTo(rangeDown(7, 6));
            assertThat(read(StreamRead.backwards().from(100))).isEqualTo(rangeDown(10, 1));
            assertThat(read(StreamRead.backwards().from(1))).containsExactly(1L);
            assertThat(read(StreamRead.backwards().from(3).to(5))).isEmpty();
            List<RecordedEvent> reversed = new ArrayList<>(all);
            Collections.reverse(reversed);
            assertThat(store.read(s, StreamRead.backwards())).isEqualTo(reversed);
        }

        @Test
        @DisplayName("as of a time: only events recorded at or before it")
        void asOfTime() {
            // Make sure a later event carries a later time than the cut, without relying on a sleep's length.
            Instant cut = all.get(9).recordedAt();
            List<RecordedEvent> later = List.of();
            for (int attempt = 0; attempt < 200 && later.isEmpty(); attempt++) {
                store.append(s, ExpectedVersion.any(), events("Later", 1));
                later = store.read(s).stream().filter(e -> e.recordedAt().isAfter(cut)).collect(Collectors.toList());
                if (later.isEmpty()) {
                    sleepBriefly();
                }
            }
            assertThat(later).as("an event recorded after %s", cut).isNotEmpty();
            List<RecordedEvent> current = store.read(s);

            for (RecordedEvent e : current) {
                Instant t = e.recordedAt();
                List<RecordedEvent> expected = current.stream().filter(x -> !x.recordedAt().isAfter(t))
                        .collect(Collectors.toList());
                assertThat(store.read(s, StreamRead.forwards().asOf(t))).as("as of %s", t).isEqualTo(expected);
            }
            assertThat(store.read(s, StreamRead.forwards().asOf(cut))).doesNotContainAnyElementsOf(later)
                    .containsAll(all);
            assertThat(store.read(s, StreamRead.forwards().asOf(all.get(0).recordedAt().minusSeconds(3600))))
                    .isEmpty();
            assertThat(store.read(s, StreamRead.forwards().asOf(Instant.now().plusSeconds(3600)))).isEqualTo(current);
            List<RecordedEvent> backwards = store.read(s, StreamRead.backwards().limit(2).asOf(cut));
            assertThat(backwards).hasSize(2);
            assertThat(backwards.get(0).recordedAt()).isBeforeOrEqualTo(cut);
            assertThat(backwards.get(0).streamVersion()).isGreaterThanOrEqualTo(10);
            assertThat(store.read(s, StreamRead.forwards().to(3).asOf(cut))).isEqualTo(all.subList(0, 3));
        }

        @Test
        @DisplayName("as of the first or last instant Java knows: nothing, or everything")
        void asOfExtremeTimes() {
            List<RecordedEvent> current = store.read(s);
            assertThat(store.read(s, StreamRead.forwards().asOf(Instant.MAX))).isEqualTo(current);
            assertThat(store.read(s, StreamRead.backwards().limit(2).asOf(Instant.MAX)))
                    .isEqualTo(List.of(current.get(current.size() - 1), current.get(current.size() - 2)));
            assertThat(store.read(s, StreamRead.forwards().asOf(Instant.MIN))).isEmpty();
        }

        @Test
        @DisplayName("a store's reads for folds (its own, or its stream reads cut down) return what its stream reads return")
        void payloadReads() {
            PayloadReads payloads = PayloadReads.of(store);
            List<StreamRead> reads = List.of(StreamRead.forwards(), StreamRead.forwards().from(4).to(6),
                    StreamRead.forwards().from(9).limit(5), StreamRead.backwards(),
                    StreamRead.backwards().from(7).limit(2), StreamRead.forwards().from(11),
                    StreamRead.forwards().asOf(all.get(4).recordedAt()), StreamRead.forwards().asOf(Instant.MIN),
                    StreamRead.backwards().limit(2).asOf(Instant.MAX));
            for (StreamRead read : reads) {
                List<StoredPayload> expected = store.read(s, read).stream().map(e -> new StoredPayload(
                        e.streamVersion(), e.eventId(), e.type(), e.schemaVersion(), e.payload())).toList();
                assertThat(payloads.readPayloads(s, read)).as("%s", read).isEqualTo(expected);
            }
            assertThat(payloads.readPayloads(stream("Order"), StreamRead.forwards())).as("a missing stream").isEmpty();
        }

        @Test
        @DisplayName("a stream that does not exist reads as empty, at version 0")
        void missingStream() {
            StreamId missing = stream("Order");
            assertThat(store.read(missing)).isEmpty();
            assertThat(store.read(missing, StreamRead.backwards())).isEmpty();
            assertThat(store.read(missing, StreamRead.forwards().from(3).limit(2))).isEmpty();
            assertThat(store.streamVersion(missing)).isZero();
            assertThat(store.exists(missing)).isFalse();
            assertThat(store.read(StreamId.of("Nothing", s.id()))).as("same id in another category").isEmpty();
        }

        @Test
        @DisplayName("streamVersion and exists follow appends")
        void versionAndExists() {
            assertThat(store.streamVersion(s)).isEqualTo(10);
            assertThat(store.exists(s)).isTrue();
            store.append(s, ExpectedVersion.exactly(10), events("Third", 1));
            assertThat(store.streamVersion(s)).isEqualTo(11);
        }
    }

    private static void sleepBriefly() {
        try {
            TimeUnit.MILLISECONDS.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Nested
    @DisplayName("global log")
    class GlobalLog {
        private final List<AppendResult> appends = new ArrayList<>();

        /** Appends 3 events per stream to Order and Customer streams, alternately, 60 events in all. */
        private List<RecordedEvent> mixedLog() {
            StreamId[] order = {stream("Order"), stream("Order")};
            StreamId[] customer = {stream("Customer"), stream("Customer")};
            for (int i = 0; i < 10; i++) {
                StreamId o = order[i % 2];
                StreamId c = customer[i % 2];
                appends.add(store.append(o, ExpectedVersion.any(), List.of(event("OrderPlaced"), event("OrderPaid"),
                        event(i % 3 == 0 ? "OrderShipped" : "OrderPaid"))));
                appends.add(store.append(c, ExpectedVersion.any(), List.of(event("CustomerRegistered"),
                        event("CustomerMoved"), event("CustomerMoved"))));
            }
            return readAll();
        }

        @Test
        @DisplayName("holds every event once, in append order, at strictly rising positions that appends reported")
        void order() {
            List<RecordedEvent> log = mixedLog();
            assertThat(log).hasSize(60);
            assertStrictlyRising(positions(log));
            assertThat(log.get(0).position()).isPositive();
            List<Long> reported = appends.stream()
                    .flatMap(a -> Stream.of(a.firstPosition(), a.lastPosition())).collect(Collectors.toList());
            List<Long> read = new ArrayList<>();
            for (int i = 0; i < log.size(); i += 3) {
                read.add(log.get(i).position());
                read.add(log.get(i + 2).position());
            }
            assertThat(read).isEqualTo(reported);
            assertThat(store.headPosition()).isEqualTo(log.get(59).position());
            for (RecordedEvent e : log) {
                assertThat(store.read(e.streamId(), StreamRead.forwards().from(e.streamVersion()).limit(1)))
                        .containsExactly(e);
            }
        }

        @Test
        @DisplayName("reads after a position, exclusive")
        void afterPosition() {
            List<RecordedEvent> log = mixedLog();
            for (int i : new int[] {0, 1, 2, 17, 58, 59}) {
                long p = log.get(i).position();
                assertThat(readAll(GlobalRead.after(p))).as("after position %d", p).isEqualTo(log.subList(i + 1, 60));
            }
            assertThat(readAll(GlobalRead.after(0))).isEqualTo(log);
            assertThat(readAll(GlobalRead.after(store.headPosition()))).isEmpty();
            assertThat(readAll(GlobalRead.after(store.headPosition() + 1000))).isEmpty();
        }

        @Test
        @DisplayName("filters by category, by type, by both")
        void filters() {
            List<RecordedEvent> log = mixedLog();
            assertThat(readAll(GlobalRead.fromStart().filter(EventFilter.categories("Order"))))
                    .isEqualTo(log.stream().filter(e -> e.streamId().category().equals("Order")).collect(Collectors.toList()))
                    .hasSize(30);
            assertThat(readAll(GlobalRead.fromStart().filter(EventFilter.types("OrderShipped", "CustomerRegistered"))))
                    .isEqualTo(log.stream().filter(e -> Set.of("OrderShipped", "CustomerRegistered").contains(e.type()))
                            .collect(Collectors.toList()))
                    .hasSize(14);
            assertThat(readAll(GlobalRead.fromStart().filter(EventFilter.categories("Customer")
                    .andTypes(List.of("CustomerMoved", "OrderPaid")))))
                    .isEqualTo(log.stream().filter(e -> e.type().equals("CustomerMoved")).collect(Collectors.toList()))
                    .hasSize(20);
            assertThat(readAll(GlobalRead.fromStart().filter(EventFilter.categories("Order", "Customer")))).isEqualTo(log);
            assertThat(readAll(GlobalRead.fromStart().filter(EventFilter.categories("Nothing")))).isEmpty();
            assertThat(readAll(GlobalRead.fromStart().filter(EventFilter.types("Nothing")))).isEmpty();
            long middle = log.get(29).position();
            assertThat(readAll(GlobalRead.after(middle).filter(EventFilter.types("OrderShipped"))))
                    .isEqualTo(log.subList(30, 60).stream().filter(e -> e.type().equals("OrderShipped"))
                            .collect(Collectors.toList()));
        }

        @Test
        @DisplayName("categories match exactly, case included, and never by prefix")
        void categoriesMatchExactly() {
            StreamId order = StreamId.of("Order", "1");
            StreamId orderLine = StreamId.of("OrderLine", "1");
            StreamId lower = StreamId.of("order", "1");
            StreamId underscore = StreamId.of("Order_", "1");
            for (StreamId s : List.of(order, orderLine, lower, underscore)) {
                store.append(s, ExpectedVersion.noStream(), events("E", 2));
            }
            assertThat(readAll(GlobalRead.fromStart().filter(EventFilter.categories("Order"))))
                    .extracting(RecordedEvent::streamId).containsOnly(order).hasSize(2);
            assertThat(readAll(GlobalRead.fromStart().filter(EventFilter.categories("order"))))
                    .extracting(RecordedEvent::streamId).containsOnly(lower).hasSize(2);
            assertThat(readAll(GlobalRead.fromStart().filter(EventFilter.categories("Order_"))))
                    .extracting(RecordedEvent::streamId).containsOnly(underscore).hasSize(2);
        }

        @Test
        @DisplayName("any batch size gives the same result as one big batch, with or without a filter")
        void batchSizes() {
            List<RecordedEvent> log = mixedLog();
            for (int batch : new int[] {1, 2, 7, 59, 60, 61, 1000}) {
                assertThat(readAll(GlobalRead.fromStart().batchSize(batch))).as("batch size %d", batch).isEqualTo(log);
                assertThat(readAll(GlobalRead.fromStart().batchSize(batch).filter(EventFilter.types("OrderShipped"))))
                        .as("sparse filter, batch size %d", batch)
                        .isEqualTo(readAll(GlobalRead.fromStart().filter(EventFilter.types("OrderShipped"))))
                        .hasSize(4);
                assertThat(readAll(GlobalRead.after(log.get(10).position()).batchSize(batch).limit(25)))
                        .as("limit 25 after the 11th event, batch size %d", batch).isEqualTo(log.subList(11, 36));
            }
        }

        @Test
        @DisplayName("limit bounds the number of events, filtered or not")
        void limit() {
            List<RecordedEvent> log = mixedLog();
            assertThat(readAll(GlobalRead.fromStart().limit(5))).isEqualTo(log.subList(0, 5));
            assertThat(readAll(GlobalRead.fromStart().limit(1))).containsExactly(log.get(0));
            assertThat(readAll(GlobalRead.fromStart().limit(600))).isEqualTo(log);
            assertThat(readAll(GlobalRead.fromStart().filter(EventFilter.categories("Customer")).limit(4)))
                    .isEqualTo(log.stream().filter(e -> e.streamId().category().equals("Customer")).limit(4)
                            .collect(Collectors.toList()));
        }

        @Test
        @DisplayName("is lazy: a partly consumed read returns the right events and can be closed")
        void partialConsumption() {
            List<RecordedEvent> log = mixedLog();
            try (Stream<RecordedEvent> events = store.readAll(GlobalRead.fromStart().batchSize(7))) {
                assertThat(events.findFirst()).contains(log.get(0));
            }
            AtomicBoolean closed = new AtomicBoolean();
            try (Stream<RecordedEvent> events = store.readAll(GlobalRead.fromStart().batchSize(7))) {
                events.onClose(() -> closed.set(true));
                Iterator<RecordedEvent> it = events.iterator();
                List<RecordedEvent> first = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    first.add(it.next());
                }
                assertThat(first).isEqualTo(log.subList(0, 12));
            }
            assertThat(closed).isTrue();
            try (Stream<RecordedEvent> events = store.readAll(GlobalRead.fromStart().batchSize(5))) {
                assertThat(events.skip(20).limit(3).collect(Collectors.toList())).isEqualTo(log.subList(20, 23));
            }
            assertThat(readAll()).as("partial reads change nothing").isEqualTo(log);
        }

        @Test
        @DisplayName("a read sees events appended after it started, up to where it reaches them")
        void readSeesLaterAppends() {
            List<RecordedEvent> log = mixedLog();
            List<RecordedEvent> result = new ArrayList<>();
            try (Stream<RecordedEvent> events = store.readAll(GlobalRead.fromStart().batchSize(10))) {
                Iterator<RecordedEvent> it = events.iterator();
                for (int i = 0; i < 5; i++) {
                    result.add(it.next());
                }
                store.append(stream("Order"), ExpectedVersion.noStream(), events("Late", 2));
                it.forEachRemaining(result::add);
            }
            assertStrictlyRising(positions(result));
            assertThat(result.subList(0, 60)).isEqualTo(log);
            assertThat(result.size()).as("all of the late append or none of it").isIn(60, 62);
        }

        @Test
        @DisplayName("headPosition is 0 when empty, then the position of the newest event")
        void headPosition() {
            assertThat(store.headPosition()).isZero();
            AppendResult first = store.append(stream("Order"), ExpectedVersion.any(), events("A", 1));
            assertThat(store.headPosition()).isEqualTo(first.lastPosition());
            AppendResult second = store.append(stream("Order"), ExpectedVersion.any(), events("A", 3));
            assertThat(store.headPosition()).isEqualTo(second.lastPosition()).isGreaterThan(first.lastPosition());
            assertThat(readAll(GlobalRead.after(store.headPosition()))).isEmpty();
        }
    }

    @Nested
    @DisplayName("waiting for the head")
    class AwaitHead {

        @Test
        @DisplayName("returns the head at once when it is already past the position")
        void alreadyPast() throws InterruptedException {
            AppendResult appended = store.append(stream("Order"), ExpectedVersion.any(), events("E", 2));
            assertThat(store.awaitHead(0, CATCH_UP_LIMIT)).isEqualTo(appended.lastPosition());
            assertThat(store.awaitHead(appended.firstPosition(), CATCH_UP_LIMIT)).isEqualTo(appended.lastPosition());
        }

        @Test
        @DisplayName("returns the head it saw when the timeout passes first")
        void timeout() throws InterruptedException {
            AppendResult appended = store.append(stream("Order"), ExpectedVersion.any(), events("E", 1));
            assertThat(store.awaitHead(appended.lastPosition(), Duration.ofMillis(20))).isEqualTo(appended.lastPosition());
            assertThat(store.awaitHead(appended.lastPosition() + 100, Duration.ZERO)).isEqualTo(appended.lastPosition());
        }

        @Test
        @DisplayName("returns once another thread's append moves the head past the position")
        void wokenByAnAppend() throws Exception {
            long head = store.headPosition();
            CountDownLatch waiting = new CountDownLatch(1);
            Concurrently.Running writer = Concurrently.start(1, w -> {
                assertThat(waiting.await(Await.LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                store.append(stream("Order"), ExpectedVersion.any(), events("Live", 1));
            });
            waiting.countDown();
            long seen = store.awaitHead(head, CATCH_UP_LIMIT);
            writer.await();
            assertThat(seen).isGreaterThan(head).isLessThanOrEqualTo(store.headPosition());
        }

        @Test
        @DisplayName("an interrupted wait throws InterruptedException")
        void interrupted() {
            long head = store.headPosition();
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> store.awaitHead(head, CATCH_UP_LIMIT)).isInstanceOf(InterruptedException.class);
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Nested
    @DisplayName("subscriptions")
    class Subscriptions {

        @Test
        @DisplayName("catch up from the start, report caught up once, then follow live appends")
        void catchUpThenLive() {
            StreamId s = stream("Order");
            store.append(s, ExpectedVersion.any(), events("Stored", 5));
            List<RecordedEvent> stored = readAll();
            RecordingListener listener = new RecordingListener();

            try (Subscription subscription = subscribe(0, EventFilter.all(), listener)) {
                awaitCaughtUp(subscription, listener);
                assertThat(subscription.isCaughtUp()).isTrue();
                assertThat(subscription.isRunning()).isTrue();
                assertThat(listener.deliveredAtCatchUp()).isEqualTo(stored);
                assertThat(listener.caughtUpPosition()).isGreaterThanOrEqualTo(stored.get(4).position());

                store.append(s, ExpectedVersion.exactly(5), events("Live", 2));
                store.append(stream("Customer"), ExpectedVersion.any(), events("Live", 1));
                awaitCount(listener, 8);

                assertThat(listener.events()).isEqualTo(readAll());
                assertThat(listener.caughtUpCalls()).isEqualTo(1);
                long head = store.headPosition();
                Await.until("the subscription's position is the head", () -> subscription.position() == head,
                        () -> "position " + subscription.position() + ", head " + head);
            }
            assertThat(listener.stoppedWith()).contains(Optional.empty());
        }

        @Test
        @DisplayName("catch-up over a log longer than any page delivers every event once, in order")
        void longCatchUp() {
            StreamId s = stream("Order");
            for (int i = 0; i < 12; i++) {
                store.append(s, ExpectedVersion.any(), events("Stored", 100));
            }
            List<RecordedEvent> stored = readAll();
            RecordingListener all = new RecordingListener();
            RecordingListener sparse = new RecordingListener();
            store.append(stream("Rare"), ExpectedVersion.any(), events("Rare", 1));

            try (Subscription a = subscribe(0, EventFilter.all(), all);
                 Subscription b = subscribe(stored.get(10).position(), EventFilter.categories("Rare"), sparse)) {
                awaitCaughtUp(a, all);
                awaitCaughtUp(b, sparse);
                assertThat(positions(all.deliveredAtCatchUp())).isEqualTo(positions(readAll()));
                assertThat(sparse.deliveredAtCatchUp()).hasSize(1)
                        .allSatisfy(e -> assertThat(e.streamId().category()).isEqualTo("Rare"));
                assertThat(all.caughtUpCalls()).isEqualTo(1);
            }
        }

        @Test
        @DisplayName("on an empty store, catch-up ends at once and live events follow")
        void emptyStore() {
            RecordingListener listener = new RecordingListener();
            try (Subscription subscription = subscribe(0, EventFilter.all(), listener)) {
                awaitCaughtUp(subscription, listener);
                assertThat(listener.deliveredAtCatchUp()).isEmpty();
                store.append(stream("Order"), ExpectedVersion.any(), events("Live", 3));
                awaitCount(listener, 3);
                assertThat(listener.events()).isEqualTo(readAll());
                assertThat(listener.caughtUpCalls()).isEqualTo(1);
            }
        }

        @Test
        @DisplayName("start after a position: only later events, exclusive")
        void fromPosition() {
            store.append(stream("Order"), ExpectedVersion.any(), events("Stored", 5));
            List<RecordedEvent> stored = readAll();
            RecordingListener listener = new RecordingListener();

            try (Subscription subscription = subscribe(stored.get(2).position(), EventFilter.all(), listener)) {
                awaitCaughtUp(subscription, listener);
                assertThat(listener.deliveredAtCatchUp()).isEqualTo(stored.subList(3, 5));
                store.append(stream("Order"), ExpectedVersion.any(), events("Live", 1));
                awaitCount(listener, 3);
                assertThat(listener.events()).isEqualTo(readAll(GlobalRead.after(stored.get(2).position())));
            }
        }

        @Test
        @DisplayName("filters by category and by type, in catch-up and live")
        void filters() {
            store.append(stream("Order"), ExpectedVersion.any(), List.of(event("Placed"), event("Paid")));
            store.append(stream("Customer"), ExpectedVersion.any(), List.of(event("Registered"), event("Paid")));
            RecordingListener orders = new RecordingListener();
            RecordingListener paid = new RecordingListener();

            try (Subscription a = subscribe(0, EventFilter.categories("Order"), orders);
                 Subscription b = subscribe(0, EventFilter.types("Paid"), paid)) {
                awaitCaughtUp(a, orders);
                awaitCaughtUp(b, paid);
                store.append(stream("Customer"), ExpectedVersion.any(), List.of(event("Paid"), event("Moved")));
                store.append(stream("Order"), ExpectedVersion.any(), List.of(event("Shipped"), event("Paid")));
                awaitCount(orders, 4);
                awaitCount(paid, 4);

                assertThat(orders.events()).isEqualTo(readAll(GlobalRead.fromStart().filter(EventFilter.categories("Order"))));
                assertThat(paid.events()).isEqualTo(readAll(GlobalRead.fromStart().filter(EventFilter.types("Paid"))));
            }
        }

        @Test
        @DisplayName("started while 8 writers append: each event exactly once, in global order")
        void duringConcurrentAppends() {
            int writers = 8;
            int appendsEach = 20;
            CountDownLatch subscribed = new CountDownLatch(1);
            RecordingListener listener = new RecordingListener();

            Concurrently.Running running = Concurrently.start(writers, w -> {
                StreamId s = stream("Busy");
                for (int i = 0; i < appendsEach; i++) {
                    if (i == appendsEach / 4) {
                        assertThat(subscribed.await(Await.LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                    }
                    store.append(s, ExpectedVersion.any(), events("Tick", 1 + i % 3));
                }
            });
            Subscription subscription = null;
            try {
                Await.until("writers have appended", () -> store.headPosition() > 0);
                subscription = subscribe(0, EventFilter.all(), listener);
                subscribed.countDown();
                running.await();
                int total = writers * (IntStream.range(0, appendsEach).map(i -> 1 + i % 3).sum());
                awaitCount(listener, total);
                awaitCaughtUp(subscription, listener);
                List<RecordedEvent> log = readAll();
                assertThat(log).hasSize(total);
                List<RecordedEvent> delivered = listener.events();
                assertStrictlyRising(positions(delivered));
                assertThat(delivered).isEqualTo(log);
                assertThat(listener.caughtUpCalls()).isEqualTo(1);
            } finally {
                subscribed.countDown();
                if (subscription != null) {
                    subscription.close();
                }
            }
        }

        @Test
        @DisplayName("close stops delivery and reports a normal stop")
        void closeStops() {
            StreamId s = stream("Order");
            store.append(s, ExpectedVersion.any(), events("Before", 2));
            RecordingListener listener = new RecordingListener();
            Subscription subscription = subscribe(0, EventFilter.all(), listener);
            awaitCaughtUp(subscription, listener);
            awaitCount(listener, 2);

            subscription.close();
            subscription.close();
            assertThat(subscription.isRunning()).isFalse();
            assertThat(subscription.failure()).isEmpty();
            Await.until("onStopped was called", () -> listener.stoppedCalls() > 0, listener::toString);
            assertThat(listener.stoppedWith()).contains(Optional.empty());
            int delivered = listener.count();

            store.append(s, ExpectedVersion.any(), events("After", 3));
            // A second subscription proves the new events are deliverable; the closed one must not get them.
            RecordingListener witness = new RecordingListener();
            Subscription other = subscribe(0, EventFilter.all(), witness);
            try {
                awaitCount(witness, 5);
            } finally {
                other.close();
            }
            assertThat(listener.count()).isEqualTo(delivered);
            assertThat(listener.stoppedCalls()).isEqualTo(1);
        }

        @Test
        @DisplayName("a listener that throws stops the subscription, which reports the failure")
        void listenerFailure() {
            store.append(stream("Order"), ExpectedVersion.any(), events("E", 3));
            List<RecordedEvent> log = readAll();
            IllegalStateException boom = new IllegalStateException("listener failed on purpose");
            RecordingListener listener = RecordingListener.failingOn(2, boom);

            Subscription subscription = subscribe(0, EventFilter.all(), listener);
            try {
                Await.until("the subscription stopped", () -> !subscription.isRunning(), listener::toString);
                assertThat(subscription.state()).isEqualTo(SubscriptionState.FAILED);
                assertThat(subscription.failure()).hasValueSatisfying(f -> assertThat(causes(f)).contains(boom));
                Await.until("onStopped was called", () -> listener.stoppedCalls() > 0, listener::toString);
                assertThat(listener.stoppedWith()).hasValueSatisfying(
                        stopped -> assertThat(stopped).hasValueSatisfying(f -> assertThat(causes(f)).contains(boom)));
                assertThat(listener.events()).containsExactly(log.get(0));
                assertThat(subscription.position()).isEqualTo(log.get(0).position());
                assertThat(listener.stoppedCalls()).isEqualTo(1);
            } finally {
                subscription.close();
            }
        }

        @Test
        @DisplayName("a listener's failure is permanent: the subscription fails at once, even on a transient exception")
        void listenerFailureIsNeverRetried() {
            store.append(stream("Order"), ExpectedVersion.any(), events("E", 3));
            StoreUnavailableException unavailable = new StoreUnavailableException("the listener's own store is down", null);
            RecordingListener listener = RecordingListener.failingOn(2, unavailable);

            Subscription subscription = subscribe(0, EventFilter.all(), listener);
            try {
                Await.until("the subscription stopped", () -> !subscription.isRunning(), listener::toString);
                assertThat(subscription.state()).isEqualTo(SubscriptionState.FAILED);
                assertThat(subscription.failure()).hasValueSatisfying(f -> assertThat(causes(f)).contains(unavailable));
                assertThat(listener.calls()).as("onEvent calls: the failing event is not handed over again").isEqualTo(2);
                Await.until("onStopped was called", () -> listener.stoppedCalls() > 0, listener::toString);
            } finally {
                subscription.close();
            }
            assertThat(subscription.state()).isEqualTo(SubscriptionState.FAILED);
        }

        @Test
        @DisplayName("closing the store closes its subscriptions")
        void storeCloseClosesSubscriptions() {
            store.append(stream("Order"), ExpectedVersion.any(), events("E", 1));
            RecordingListener listener = new RecordingListener();
            Subscription subscription = subscribe(0, EventFilter.all(), listener);
            awaitCount(listener, 1);

            store.close();

            Await.until("the subscription stopped", () -> !subscription.isRunning(), listener::toString);
            Await.until("onStopped was called", () -> listener.stoppedCalls() > 0, listener::toString);
            assertThat(subscription.failure()).isEmpty();
            store.close();
        }

        @Test
        @DisplayName("subscribing to a closed store fails with IllegalStateException and starts nothing")
        void subscribeAfterClose() {
            store.append(stream("Order"), ExpectedVersion.any(), events("E", 1));
            store.close();
            RecordingListener listener = new RecordingListener();

            assertThatThrownBy(() -> store.subscribe(0, EventFilter.all(), listener))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(listener.count()).isZero();
            assertThat(listener.stoppedCalls()).isZero();
        }
    }

    @Nested
    @DisplayName("failures")
    class Failures {

        @Test
        @DisplayName("a closed store refuses every call with IllegalStateException, a permanent failure")
        void closedStore() {
            StreamId s = stream("Order");
            store.append(s, ExpectedVersion.noStream(), events("E", 1));
            store.close();

            List<ThrowingCallable> calls = List.of(
                    () -> store.append(s, ExpectedVersion.any(), events("E", 1)),
                    () -> store.read(s),
                    () -> readAll(),
                    () -> store.streamVersion(s),
                    () -> store.headPosition(),
                    () -> store.awaitHead(0, Duration.ofMillis(1)));
            for (ThrowingCallable call : calls) {
                assertThatThrownBy(call).isInstanceOf(IllegalStateException.class)
                        .isNotInstanceOf(StoreUnavailableException.class);
            }
        }
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {
        private StreamId s;
        private State before;

        @BeforeEach
        void existingStream() {
            s = stream("Order");
            store.append(s, ExpectedVersion.noStream(), events("Existing", 2));
            before = state(s);
        }

        private void assertUnchanged() {
            assertThat(state(s)).as("stream and log after a rejected append").isEqualTo(before);
        }

        @Test
        @DisplayName("an empty append is rejected")
        void emptyAppend() {
            assertThatThrownBy(() -> store.append(s, ExpectedVersion.any(), List.of()))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining(s.toString());
            assertUnchanged();
        }

        @Test
        @DisplayName("an id repeated within one append is rejected")
        void repeatedId() {
            EventData e = event("Dup");
            List<EventData> attempt = List.of(event("Fine"), e, new EventData(e.eventId(), "Other", 1, "{}", Metadata.empty()));
            assertThatThrownBy(() -> store.append(s, ExpectedVersion.any(), attempt))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining(e.eventId().toString());
            assertUnchanged();
            assertThat(store.append(s, ExpectedVersion.exactly(2), List.of(e)).retried()).isFalse();
        }

        @Test
        @DisplayName("an event over the size limit is rejected, one at the limit is stored")
        void oversize() {
            int max = store.maxEventBytes();
            String over = "\"" + "x".repeat(max - 1) + "\"";
            String at = "\"" + "y".repeat(max - 2) + "\"";
            List<EventData> attempt = List.of(event("Small"), event("Huge", over));
            assertThatThrownBy(() -> store.append(s, ExpectedVersion.any(), attempt))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining(String.valueOf(max));
            assertUnchanged();

            EventData atLimit = event("Large", at);
            store.append(s, ExpectedVersion.exactly(2), List.of(atLimit));
            RecordedEvent stored = store.read(s, StreamRead.backwards().limit(1)).get(0);
            assertThat(stored.eventId()).isEqualTo(atLimit.eventId());
            assertThat(tree(stored.payload()).textValue()).hasSize(max - 2);
        }

        @Test
        @DisplayName("null arguments and null events are rejected")
        void nulls() {
            List<EventData> one = events("E", 1);
            assertThatThrownBy(() -> store.append(null, ExpectedVersion.any(), one)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> store.append(s, null, one)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> store.append(s, ExpectedVersion.any(), null)).isInstanceOf(NullPointerException.class);
            List<EventData> withNull = Arrays.asList(event("E"), null);
            assertThatThrownBy(() -> store.append(s, ExpectedVersion.any(), withNull))
                    .isInstanceOf(InvalidEventException.class);
            assertUnchanged();
        }

        @Test
        @DisplayName("a rejected append does not disturb a later valid one")
        void validAfterInvalid() {
            assertThatThrownBy(() -> store.append(s, ExpectedVersion.any(), List.of())).isInstanceOf(InvalidEventException.class);
            AppendResult r = store.append(s, ExpectedVersion.exactly(2), events("Next", 1));
            assertThat(r.firstVersion()).isEqualTo(3);
            assertThat(versions(store.read(s))).isEqualTo(range(1, 3));
        }

        @Test
        @DisplayName("invalid stream names are rejected by StreamId")
        void invalidStreamNames() {
            List<String[]> invalid = List.of(
                    new String[] {"", "1"}, new String[] {"1Order", "1"}, new String[] {"Or-der", "1"},
                    new String[] {"Or der", "1"}, new String[] {"_Order", "1"}, new String[] {"Ordér", "1"},
                    new String[] {"O".repeat(StreamId.MAX_CATEGORY_LENGTH + 1), "1"},
                    new String[] {"Order", ""}, new String[] {"Order", "   "}, new String[] {"Order", "a\nb"},
                    new String[] {"Order", "a\u0000b"}, new String[] {"Order", "x".repeat(StreamId.MAX_ID_LENGTH + 1)});
            for (String[] name : invalid) {
                assertThatThrownBy(() -> StreamId.of(name[0], name[1])).as("category '%s', id '%s'", name[0], name[1])
                        .isInstanceOf(InvalidInputException.class);
            }
            assertThatThrownBy(() -> StreamId.of(null, "1")).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> StreamId.of("Order", null)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> StreamId.parse("Order")).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> EventFilter.categories("Or-der")).isInstanceOf(InvalidInputException.class);
            assertThat(StreamId.parse("Order-a-b")).isEqualTo(StreamId.of("Order", "a-b"));
        }

        @Test
        @DisplayName("EventData rejects malformed payloads, bad types and schema versions")
        void malformedEventData() {
            for (String payload : List.of("", " ", "{", "{\"a\":}", "{} {}", "{\"a\":1,\"a\":2}", "nope", "{'a':1}",
                    "[1,2", "{\"a\":1}x")) {
                assertThatThrownBy(() -> EventData.of("E", payload)).as("payload %s", payload)
                        .isInstanceOf(InvalidEventException.class);
            }
            assertThatThrownBy(() -> EventData.of("E", null)).isInstanceOf(InvalidEventException.class);
            assertThatThrownBy(() -> EventData.of(" ", "{}")).isInstanceOf(InvalidEventException.class);
            assertThatThrownBy(() -> EventData.of("E\n", "{}")).isInstanceOf(InvalidEventException.class);
            assertThatThrownBy(() -> EventData.of("E".repeat(EventData.MAX_TYPE_LENGTH + 1), "{}"))
                    .isInstanceOf(InvalidEventException.class);
            assertThatThrownBy(() -> new EventData(UUID.randomUUID(), "E", 0, "{}", Metadata.empty()))
                    .isInstanceOf(InvalidEventException.class);
            assertThatThrownBy(() -> new EventData(null, "E", 1, "{}", Metadata.empty()))
                    .isInstanceOf(InvalidEventException.class);
        }
    }

    @Nested
    @DisplayName("hostile text and the limits of the read side")
    class HostileInput extends HostileInputContract {
        @Override
        protected EventStore store() {
            return store;
        }
    }

    @Nested
    @DisplayName("envelope round trip")
    class RoundTrip {

        @Test
        @DisplayName("id, stream, type, schema version, payload, metadata and time come back as written")
        void envelope() {
            StreamId s = stream("Order");
            UUID correlation = UUID.randomUUID();
            List<EventData> written = List.of(
                    new EventData(UUID.randomUUID(), "OrderPlaced", 3,
                            "{\"order\":\"A-1\",\"lines\":[{\"sku\":\"X\",\"qty\":2,\"price\":12.5}],"
                                    + "\"note\":\"caf\u00e9 \u65e5\u672c \ud83d\ude00 \\\"quoted\\\" back\\\\slash\\n\","
                                    + "\"flag\":true,\"none\":null,\"big\":9007199254740993,\"neg\":-0.001}",
                            Metadata.empty().withCorrelationId(correlation).withCausationId("command-7")
                                    .with("user", "z\u00fcrich@example.com").with("tenant", "t 1")),
                    new EventData(UUID.randomUUID(), "Order.Paid v2", 1, "{}", Metadata.empty()),
                    new EventData(UUID.randomUUID(), "OrderTagged", 2, "[1,\"two\",{\"three\":3}]", Metadata.empty()),
                    new EventData(UUID.randomUUID(), "OrderNoted", 1, "\"just text\"", Metadata.empty().with("k", "")),
                    new EventData(UUID.randomUUID(), "OrderNested", 1,
                            "{ \"z\" : 1 , \"a\" : { \"y\" : [ ] , \"b\" : { } } }", Metadata.empty()));
            Instant before = Instant.now();
            AppendResult result = store.append(s, ExpectedVersion.noStream(), written);
            Instant after = Instant.now();

            List<RecordedEvent> read = store.read(s);
            assertThat(read).hasSize(written.size());
            for (int i = 0; i < written.size(); i++) {
                EventData w = written.get(i);
                RecordedEvent r = read.get(i);
                assertThat(r.eventId()).isEqualTo(w.eventId());
                assertThat(r.streamId()).isEqualTo(s);
                assertThat(r.streamVersion()).isEqualTo(i + 1);
                assertThat(r.position()).isBetween(result.firstPosition(), result.lastPosition());
                assertThat(r.type()).isEqualTo(w.type());
                assertThat(r.schemaVersion()).isEqualTo(w.schemaVersion());
                assertSameJson(r.payload(), w.payload());
                assertThat(r.metadata()).isEqualTo(w.metadata());
                assertThat(r.recordedAt()).isBetween(before.minusSeconds(10), after.plusSeconds(10));
            }
            assertThat(read.get(0).metadata().correlationId()).contains(correlation.toString());
            assertThat(read.get(0).metadata().causationId()).contains("command-7");
            assertThat(tree(read.get(0).payload()).get("big").bigIntegerValue())
                    .isEqualTo(new BigInteger("9007199254740993"));
            assertThat(tree(read.get(0).payload()).get("lines").get(0).get("price").doubleValue())
                    .isCloseTo(12.5, within(0.0));

            assertThat(readAll()).as("the global log returns the same envelopes").isEqualTo(read);
            RecordingListener listener = new RecordingListener();
            Subscription subscription = subscribe(0, EventFilter.all(), listener);
            try {
                awaitCount(listener, written.size());
                assertThat(listener.events()).as("subscriptions deliver the same envelopes").isEqualTo(read);
            } finally {
                subscription.close();
            }
        }

        @Test
        @DisplayName("stream ids with any printable characters are stored faithfully and kept apart")
        void unusualStreamIds() {
            List<String> idsToStore = List.of("with space", "dots.and*stars>", "caf\u00e9-\u65e5\u672c-\ud83d\ude00",
                    "quote'\"", "under_score", "underXscore", "per%cent", "perXcent", "slash/back\\slash",
                    "$all", "x".repeat(StreamId.MAX_ID_LENGTH), "1", "01", "a-b-c", "UPPER", "upper");
            Map<StreamId, UUID> written = new LinkedHashMap<>();
            for (String id : idsToStore) {
                StreamId s = StreamId.of("Odd", id);
                EventData e = event("Stored");
                store.append(s, ExpectedVersion.noStream(), List.of(e));
                written.put(s, e.eventId());
            }
            for (Map.Entry<StreamId, UUID> entry : written.entrySet()) {
                List<RecordedEvent> read = store.read(entry.getKey());
                assertThat(read).as("stream %s", entry.getKey()).hasSize(1);
                assertThat(read.get(0).eventId()).isEqualTo(entry.getValue());
                assertThat(read.get(0).streamId()).isEqualTo(entry.getKey());
                assertThat(store.streamVersion(entry.getKey())).isEqualTo(1);
            }
            assertThat(readAll()).extracting(RecordedEvent::streamId).containsExactlyElementsOf(written.keySet());
        }

        @Test
        @DisplayName("an append returns the events exactly as readers will see them")
        void appendReturnsTheRecordedEvents() {
            StreamId s = stream("Order");
            store.append(s, ExpectedVersion.noStream(), events("First", 2));
            List<EventData> batch = events("Second", 3);
            AppendResult result = store.append(s, ExpectedVersion.exactly(2), batch);

            assertThat(result.events()).extracting(RecordedEvent::eventId).isEqualTo(ids(batch));
            assertThat(result.events()).isEqualTo(store.read(s, StreamRead.forwards().from(3)));
            assertThat(result.events().get(0).position()).isEqualTo(result.firstPosition());
            assertThat(result.events().get(2).position()).isEqualTo(result.lastPosition());
            assertThat(store.append(s, ExpectedVersion.exactly(2), batch).events())
                    .as("a retry returns the events as first recorded").isEqualTo(result.events());
        }

        @Test
        @DisplayName("the time an event occurred is kept beside the recorded time, to the microsecond")
        void occurredAtRoundTrips() {
            StreamId s = stream("Order");
            Instant occurred = Instant.parse("2020-02-29T12:34:56.123456789Z");
            EventData given = event("Given").withOccurredAt(occurred);
            EventData notGiven = event("NotGiven");
            EventData ancient = event("Ancient").withOccurredAt(Instant.parse("0001-01-01T00:00:00Z"));
            AppendResult result = store.append(s, ExpectedVersion.noStream(), List.of(given, notGiven, ancient));

            List<RecordedEvent> read = store.read(s);
            assertThat(read).isEqualTo(result.events());
            assertThat(read.get(0).occurredAt()).isEqualTo(Instant.parse("2020-02-29T12:34:56.123456Z"));
            assertThat(read.get(1).occurredAt()).isEqualTo(read.get(1).recordedAt());
            assertThat(read.get(2).occurredAt()).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
            assertThat(readAll()).isEqualTo(read);
            assertThat(store.read(s, StreamRead.forwards().asOf(read.get(0).recordedAt())))
                    .as("as-of reads use the recorded time, not the occurrence time").hasSize(3);
            assertThatThrownBy(() -> event("Late").withOccurredAt(Instant.parse("+10000-01-01T00:00:00Z")))
                    .isInstanceOf(InvalidEventException.class);
        }

        @Test
        @DisplayName("recorded times are kept to the microsecond, and as-of reads compare at that precision")
        void recordedTimesHaveMicrosecondPrecision() {
            StreamId s = stream("Order");
            store.append(s, ExpectedVersion.noStream(), events("E", 1));
            RecordedEvent e = store.read(s).get(0);
            assertThat(e.recordedAt().getNano() % 1000).isZero();
            assertThat(store.read(s, StreamRead.forwards().asOf(e.recordedAt().plusNanos(999)))).hasSize(1);
            assertThat(store.read(s, StreamRead.forwards().asOf(e.recordedAt().minusNanos(1)))).isEmpty();
        }

        @Test
        @DisplayName("recorded times never go backwards along a stream")
        void recordedTimesRise() {
            StreamId s = stream("Order");
            for (int i = 0; i < 10; i++) {
                store.append(s, ExpectedVersion.any(), events("E", 2));
            }
            List<RecordedEvent> read = store.read(s);
            for (int i = 1; i < read.size(); i++) {
                assertThat(read.get(i).recordedAt()).isAfterOrEqualTo(read.get(i - 1).recordedAt());
            }
        }
    }
}
