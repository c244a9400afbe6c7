package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

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
