package dev.relato.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidEventException;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.spi.AppendValidation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the in-memory store promises beyond the contract suite (which relato-test runs against it):
 * contiguous positions, its clock, its size limit and its behaviour after close.
 */
class InMemoryEventStoreTest {
    private static final StreamId ORDER = StreamId.of("Order", "1");

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private volatile Instant now;

        ManualClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static List<EventData> events(int count) {
        return Stream.generate(() -> EventData.of("E", "{}")).limit(count).collect(Collectors.toList());
    }

    @Test
    void positionsAreContiguousFromOne() {
        try (InMemoryEventStore store = InMemoryEventStore.create()) {
            store.append(ORDER, ExpectedVersion.any(), events(3));
            store.append(StreamId.of("Order", "2"), ExpectedVersion.any(), events(2));
            try (Stream<RecordedEvent> all = store.readAll(GlobalRead.fromStart())) {
                assertThat(all.map(RecordedEvent::position)).containsExactly(1L, 2L, 3L, 4L, 5L);
            }
            assertThat(store.headPosition()).isEqualTo(5);
        }
    }

    @Test
    void recordsTimesFromItsClockAndNeverGoesBack() {
        Instant t0 = Instant.parse("2026-01-01T10:00:00Z");
        ManualClock clock = new ManualClock(t0);
        try (InMemoryEventStore store = InMemoryEventStore.builder().clock(clock).build()) {
            store.append(ORDER, ExpectedVersion.any(), events(2));
            clock.set(t0.plusSeconds(60));
            store.append(ORDER, ExpectedVersion.any(), events(1));
            clock.set(t0.minusSeconds(3600));
            store.append(ORDER, ExpectedVersion.any(), events(1));

            assertThat(store.read(ORDER)).extracting(RecordedEvent::recordedAt)
                    .containsExactly(t0, t0, t0.plusSeconds(60), t0.plusSeconds(60));
            assertThat(store.read(ORDER, StreamRead.forwards().asOf(t0.plusSeconds(59))))
                    .extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L);
            assertThat(store.read(ORDER, StreamRead.backwards().asOf(t0)))
                    .extracting(RecordedEvent::streamVersion).containsExactly(2L, 1L);
            assertThat(store.read(ORDER, StreamRead.forwards().asOf(t0.minusNanos(1)))).isEmpty();
        }
    }

    @Test
    void honoursItsSizeLimit() {
        assertThat(InMemoryEventStore.create().maxEventBytes()).isEqualTo(AppendValidation.DEFAULT_MAX_EVENT_BYTES);
        try (InMemoryEventStore store = InMemoryEventStore.builder().maxEventBytes(100).build()) {
            assertThat(store.maxEventBytes()).isEqualTo(100);
            EventData over = EventData.of("E", "\"" + "x".repeat(99) + "\"");
            assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.any(), List.of(over)))
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("100 bytes");
            store.append(ORDER, ExpectedVersion.any(), List.of(EventData.of("E", "\"" + "x".repeat(98) + "\"")));
            assertThat(store.streamVersion(ORDER)).isEqualTo(1);
            Metadata shared = Metadata.empty().with("k", "v");
            EventData small = EventData.of("E", "1").withMetadata(shared);
            EventData large = EventData.of("E", "1").withMetadata(shared.with("big", "y".repeat(90)));
            assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.any(), List.of(small,
                    EventData.of("E", "2").withMetadata(shared), large)))
                    .as("metadata measured once for events sharing it, and again when it changes")
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("is 108 bytes");
        }
        assertThatThrownBy(() -> InMemoryEventStore.builder().maxEventBytes(10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesUseAfterClose() throws Exception {
        InMemoryEventStore store = InMemoryEventStore.create();
        store.append(ORDER, ExpectedVersion.any(), events(5));
        Stream<RecordedEvent> open = store.readAll(GlobalRead.fromStart().batchSize(2));
        Iterator<RecordedEvent> it = open.iterator();
        it.next();
        it.next();
        Subscription subscription = store.subscribe(0, EventFilter.all(), e -> { });
        assertThat(subscription.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();

        store.close();
        store.close();

        assertThat(subscription.isRunning()).isFalse();
        assertThatThrownBy(() -> store.append(ORDER, ExpectedVersion.any(), events(1)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.read(ORDER)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.readAll(GlobalRead.fromStart())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(it::hasNext).as("a read opened before close").isInstanceOf(IllegalStateException.class);
        SubscriptionListener listener = e -> { };
        assertThatThrownBy(() -> store.subscribe(0, EventFilter.all(), listener))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.streamVersion(ORDER)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(store::headPosition).isInstanceOf(IllegalStateException.class);
        open.close();
    }

    @Test
    void rejectsBadBuilderSettings() {
        assertThatThrownBy(() -> InMemoryEventStore.builder().clock(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> InMemoryEventStore.builder().subscriptionOptions(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void closingTheStoreEndsAWaitForTheHead() throws Exception {
        InMemoryEventStore store = InMemoryEventStore.create();
        CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return store.awaitHead(0, Duration.ofHours(1));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        store.close();
        assertThatThrownBy(() -> waiting.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
