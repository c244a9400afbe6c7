package dev.relato.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.InvalidInputException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.support.CountingObserver;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A store reports its appends and loads to its observer, and stores the metadata the observation carries. */
class StoreObservationTest {
    private final CountingObserver observer = new CountingObserver();
    private final CountingObserver second = new CountingObserver();

    @Test
    void tenAppendsAConflictAndAnIdempotentRetryAreCountedByOutcome() {
        try (InMemoryEventStore store = InMemoryEventStore.builder().observer(RelatoObserver.of(observer, second))
                .build()) {
            StreamId stream = StreamId.of("Order", "o-1");
            EventData last = null;
            for (int i = 0; i < 10; i++) {
                last = EventData.of("OrderPlaced", "{}");
                store.append(stream, ExpectedVersion.exactly(i), List.of(last));
            }
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(),
                    List.of(EventData.of("OrderPlaced", "{}")))).isInstanceOf(WrongExpectedVersionException.class);
            store.append(stream, ExpectedVersion.exactly(9), List.of(last));
            assertThat(store.read(stream)).hasSize(10).allSatisfy(e ->
                    assertThat(e.metadata().get("observed")).contains("append:memory:Order"));

            for (CountingObserver o : List.of(observer, second)) {
                assertThat(o.count("append:memory:Order:succeeded")).isEqualTo(10);
                assertThat(o.count("append:memory:Order:conflict")).isEqualTo(1);
                assertThat(o.count("append:memory:Order:retried")).isEqualTo(1);
                assertThat(o.count("append:memory:Order:events")).isEqualTo(11);
                assertThat(o.count("load:memory:Order:succeeded")).isEqualTo(1);
                assertThat(o.count("load:memory:Order:events")).isEqualTo(10);
            }
        }
    }

    @Test
    void badInputIsCountedAsInvalidAndTheStoreSeesTheSameRejection() {
        try (InMemoryEventStore store = InMemoryEventStore.builder().observer(observer).build()) {
            assertThatThrownBy(() -> store.append(StreamId.of("Order", "o-1"), ExpectedVersion.any(), List.of()))
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> store.append(null, ExpectedVersion.any(), List.of()))
                    .isInstanceOf(NullPointerException.class);
            assertThat(observer.count("append:memory:Order:invalid")).isEqualTo(1);
        }
    }

    @Test
    void aStoreWithoutAnObserverReportsToNone() {
        try (InMemoryEventStore store = InMemoryEventStore.create()) {
            assertThat(store.observer()).isSameAs(RelatoObserver.none());
        }
    }
}
