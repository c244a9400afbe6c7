package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventFilter;
import dev.relato.GlobalRead;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.spi.LogReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pages of a read, read ahead of the consumer, over a log in memory. */
class ReadAheadTest {
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    private final ReadAhead readAhead = new ReadAhead("read-ahead-test");
    private final List<RecordedEvent> log = LongStream.rangeClosed(1, 100).mapToObj(p -> event(p * 3))
            .collect(Collectors.toList());

    @AfterEach
    void close() {
        readAhead.close();
    }

    @Test
    void readsTheWholeLogInOrderWithAnyBatchSizeAndLimit() {
        for (int batch : new int[] {1, 3, 7, 50, 100, 1000}) {
            assertThat(read(GlobalRead.fromStart().batchSize(batch), pages(new AtomicInteger())))
                    .as("batch %d", batch).isEqualTo(log);
            assertThat(read(GlobalRead.after(30).batchSize(batch).limit(25), pages(new AtomicInteger())))
                    .as("batch %d, limit", batch).isEqualTo(log.subList(10, 35));
        }
    }

    @Test
    void aFailedPageIsThrownWhereItIsReachedAndReadAgainOnTheNextCall() {
        AtomicInteger reads = new AtomicInteger();
        LogReader failingOnce = (after, filter, max) -> {
            if (after == 60 && reads.getAndIncrement() == 0) {
                throw new StoreUnavailableException("connection lost", null);
            }
            return pages(new AtomicInteger()).readPage(after, filter, max);
        };
        try (Stream<RecordedEvent> events = readAhead.stream(failingOnce, GlobalRead.fromStart().batchSize(10))) {
            Iterator<RecordedEvent> it = events.iterator();
            List<RecordedEvent> seen = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                seen.add(it.next());
            }
            assertThatThrownBy(it::hasNext).isInstanceOf(StoreUnavailableException.class);
            it.forEachRemaining(seen::add);
            assertThat(seen).isEqualTo(log);
        }
    }

    @Test
    void aClosedStreamReadsNoFurther() throws InterruptedException {
        AtomicInteger reads = new AtomicInteger();
        try (Stream<RecordedEvent> events = readAhead.stream(pages(reads), GlobalRead.fromStart().batchSize(10))) {
            assertThat(events.findFirst()).contains(log.get(0));
        }
        Thread.sleep(100);
        assertThat(reads.get()).as("the first page and at most three read ahead").isBetween(1, 4);
    }

    @Test
    void readsOnTheConsumersThreadOnceClosed() {
        readAhead.close();
        assertThat(read(GlobalRead.fromStart().batchSize(7), pages(new AtomicInteger()))).isEqualTo(log);
    }

    private List<RecordedEvent> read(GlobalRead read, LogReader reader) {
        try (Stream<RecordedEvent> events = readAhead.stream(reader, read)) {
            return events.collect(Collectors.toList());
        }
    }

    /** Reads the log in memory, counting the reads. */
    private LogReader pages(AtomicInteger reads) {
        return (long after, EventFilter filter, int max) -> {
            reads.incrementAndGet();
            return log.stream().filter(e -> e.position() > after).limit(max).collect(Collectors.toList());
        };
    }

    private static RecordedEvent event(long position) {
        return new RecordedEvent(UUID.randomUUID(), StreamId.of("Order", "o-" + position), 1, position, "Placed", 1,
                "{}", Metadata.empty(), AT, AT);
    }
}
