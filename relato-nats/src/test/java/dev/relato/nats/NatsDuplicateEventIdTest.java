package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Two appends that share an event id other than their first, started at the same moment: exactly one is
 * stored and the other is refused as a duplicate, round after round, into two streams or into one.
 */
class NatsDuplicateEventIdTest extends NatsStoreFixture {
    private static final int ROUNDS = 60;

    @Test
    void concurrentAppendsSharingAnEventIdStoreItOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                EventData shared = EventData.of("Shared", "{\"round\":" + round + "}");
                List<EventData> left = List.of(EventData.of("Left", "{}"), shared);
                List<EventData> right = List.of(EventData.of("Right", "{}"), shared);
                StreamId leftStream = StreamId.of("Left", "r" + round);
                StreamId rightStream = round % 2 == 0 ? StreamId.of("Right", "r" + round) : leftStream;
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Object> a = pool.submit(() -> appendOrRefusal(start, leftStream, left));
                Future<Object> b = pool.submit(() -> appendOrRefusal(start, rightStream, right));
                List<Object> outcomes = List.of(a.get(), b.get());

                assertThat(outcomes).as("round %d", round)
                        .satisfiesOnlyOnce(o -> assertThat(o).isInstanceOf(AppendResult.class))
                        .satisfiesOnlyOnce(o -> assertThat(o).isInstanceOf(DuplicateEventException.class));
                List<RecordedEvent> stored = Stream.of(leftStream, rightStream).distinct()
                        .flatMap(s -> store.read(s).stream()).toList();
                assertThat(stored).as("round %d", round).hasSize(2)
                        .filteredOn(e -> e.eventId().equals(shared.eventId())).hasSize(1);
                EventData refusedFirst = outcomes.get(0) instanceof AppendResult ? right.get(0) : left.get(0);
                assertThat(store.append(StreamId.of("Other", "r" + round), ExpectedVersion.noStream(),
                        List.of(refusedFirst)).retried())
                        .as("the refused append withdrew its claims").isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private Object appendOrRefusal(CyclicBarrier start, StreamId stream, List<EventData> events) throws Exception {
        start.await();
        try {
            return store.append(stream, ExpectedVersion.any(), events);
        } catch (DuplicateEventException e) {
            return e;
        }
    }
}
