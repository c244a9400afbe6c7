package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.observe.RelatoObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The single writer reports each append's wait in its queue and the size of each group commit. */
class SqliteObservationTest {
    @TempDir
    Path dir;

    private final List<Integer> groups = new CopyOnWriteArrayList<>();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    @Test
    void everyAppendIsInOneGroupCommitAndItsQueueWaitIsReported() throws Exception {
        RelatoObserver observer = new RelatoObserver() {
            @Override
            public void writeQueueWait(String store, Duration wait) {
                assertThat(store).isEqualTo("sqlite");
                waits.add(wait);
            }

            @Override
            public void groupCommit(String store, int appends) {
                groups.add(appends);
            }
        };
        int writers = 8;
        int appendsEach = 25;
        try (SqliteEventStore store = SqliteEventStore.builder().path(dir.resolve("events.db")).observer(observer)
                .build()) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    StreamId stream = StreamId.of("Order", "o-" + w);
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < appendsEach; i++) {
                            store.append(stream, ExpectedVersion.exactly(i), List.of(EventData.of("OrderPlaced", "{}")));
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
        assertThat(groups.stream().mapToInt(Integer::intValue).sum()).isEqualTo(writers * appendsEach);
        assertThat(groups).allSatisfy(size -> assertThat(size).isBetween(1, writers));
        assertThat(waits).hasSize(writers * appendsEach).allSatisfy(w -> assertThat(w.isNegative()).isFalse());
    }
}
