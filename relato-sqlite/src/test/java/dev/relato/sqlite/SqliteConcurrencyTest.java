package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many writers on one file: threads of one store, and two stores as two processes would open it. */
class SqliteConcurrencyTest {
    private static final int THREADS = 16;
    private static final int APPENDS_PER_THREAD = 40;

    @TempDir
    Path dir;

    @Test
    void sixteenThreadsAppendWithoutBusyErrorsOrLostVersions() throws Exception {
        StreamId shared = StreamId.of("Counter", "shared");
        try (SqliteEventStore store = SqliteEventStore.open(dir.resolve("events.db"))) {
            List<Callable<Integer>> writers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                StreamId own = StreamId.of("Worker", "w" + t);
                writers.add(() -> {
                    int conflicts = 0;
                    for (int i = 0; i < APPENDS_PER_THREAD; i++) {
                        store.append(own, ExpectedVersion.exactly(2L * i), List.of(EventData.of("Worked", "{}"),
                                EventData.of("Worked", "{}")));
                        conflicts += appendWithRetry(store, shared);
                        store.read(own);
                    }
                    return conflicts;
                });
            }
            runAll(writers);

            assertThat(store.streamVersion(shared)).isEqualTo(THREADS * APPENDS_PER_THREAD);
            for (int t = 0; t < THREADS; t++) {
                assertThat(store.streamVersion(StreamId.of("Worker", "w" + t))).isEqualTo(2L * APPENDS_PER_THREAD);
            }
            assertConsistent(store, THREADS * APPENDS_PER_THREAD * 3L);
        }
    }

    @Test
    void twoStoresOnOneFileAppendWithExpectedVersionsWithoutCorruption() throws Exception {
        Path file = dir.resolve("shared.db");
        StreamId shared = StreamId.of("Counter", "shared");
        try (SqliteEventStore first = SqliteEventStore.open(file);
             SqliteEventStore second = SqliteEventStore.open(file)) {
            List<Callable<Integer>> writers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                SqliteEventStore store = t % 2 == 0 ? first : second;
                StreamId own = StreamId.of("Worker", "w" + t);
                writers.add(() -> {
                    int conflicts = 0;
                    for (int i = 0; i < 25; i++) {
                        store.append(own, ExpectedVersion.exactly(i), List.of(EventData.of("Worked", "{}")));
                        conflicts += appendWithRetry(store, shared);
                    }
                    return conflicts;
                });
            }
            runAll(writers);

            assertThat(first.streamVersion(shared)).isEqualTo(200);
            assertThat(second.streamVersion(shared)).isEqualTo(200);
            assertConsistent(first, 400);
            assertConsistent(second, 400);
        }
    }

    @Test
    void appendsCommittedTogetherSucceedOrFailEachOnItsOwn() throws Exception {
        try (SqliteEventStore store = SqliteEventStore.open(dir.resolve("group.db"))) {
            StreamId contested = StreamId.of("Order", "contested");
            StreamId batch = StreamId.of("Order", "batch");
            StreamId duplicate = StreamId.of("Order", "duplicate");
            EventData stored = EventData.of("Stored", "{}");
            store.append(StreamId.of("Order", "earlier"), ExpectedVersion.noStream(), List.of(stored));

            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try {
                Future<?> holder = pool.submit(() -> store.inTransaction(tx -> {
                    holding.countDown();
                    release.await();
                }));
                holding.await();
                List<Future<AppendResult>> appends = List.of(
                        pool.submit(() -> store.append(contested, ExpectedVersion.noStream(), List.of(EventData.of("A", "{}")))),
                        pool.submit(() -> store.append(contested, ExpectedVersion.noStream(), List.of(EventData.of("B", "{}")))),
                        pool.submit(() -> store.append(batch, ExpectedVersion.noStream(),
                                List.of(EventData.of("C1", "{}"), EventData.of("C2", "{}")))),
                        pool.submit(() -> store.append(duplicate, ExpectedVersion.any(), List.of(stored))));
                while (store.database().queuedWrites() < appends.size()) {
                    Thread.sleep(1);
                }
                release.countDown();
                holder.get();

                List<Throwable> contestedFailures = new ArrayList<>();
                for (Future<AppendResult> contender : appends.subList(0, 2)) {
                    try {
                        assertThat(contender.get().lastVersion()).isEqualTo(1);
                    } catch (ExecutionException e) {
                        contestedFailures.add(e.getCause());
                    }
                }
                assertThat(contestedFailures).singleElement().isInstanceOf(WrongExpectedVersionException.class);
                assertThat(appends.get(2).get().lastVersion()).isEqualTo(2);
                assertThatThrownBy(() -> appends.get(3).get()).hasCauseInstanceOf(DuplicateEventException.class);
            } finally {
                pool.shutdownNow();
            }
            assertThat(store.streamVersion(contested)).isEqualTo(1);
            assertThat(store.streamVersion(batch)).isEqualTo(2);
            assertThat(store.exists(duplicate)).isFalse();
            assertConsistent(store, 4);
        }
    }

    /** Appends one event with the version just read, rereading after each conflict; returns the conflicts. */
    private static int appendWithRetry(EventStore store, StreamId stream) {
        int conflicts = 0;
        while (true) {
            long version = store.streamVersion(stream);
            try {
                store.append(stream, ExpectedVersion.exactly(version), List.of(EventData.of("Counted", "{}")));
                return conflicts;
            } catch (WrongExpectedVersionException e) {
                conflicts++;
            }
        }
    }

    private static void runAll(List<Callable<Integer>> writers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers.size());
        try {
            List<Future<Integer>> results = pool.invokeAll(writers);
            for (Future<Integer> result : results) {
                result.get(); // rethrows any failure, a busy database included
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Positions 1..n with no gaps, each stream's versions 1..v with no gaps, in position order. */
    private static void assertConsistent(SqliteEventStore store, long expectedEvents) {
        List<RecordedEvent> all;
        try (Stream<RecordedEvent> log = store.readAll(GlobalRead.fromStart().batchSize(97))) {
            all = log.toList();
        }
        assertThat(all).extracting(RecordedEvent::position)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, expectedEvents).boxed().toList());
        assertThat(store.headPosition()).isEqualTo(expectedEvents);
        all.stream().map(RecordedEvent::streamId).distinct().forEach(stream -> {
            List<Long> versions = all.stream().filter(e -> e.streamId().equals(stream))
                    .map(RecordedEvent::streamVersion).toList();
            assertThat(versions).as("versions of %s in position order", stream)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, versions.size()).boxed().toList());
        });
    }
}
