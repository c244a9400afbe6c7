package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidInputException;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.observe.Observation;
import dev.relato.observe.Outcome;
import dev.relato.observe.RelatoObserver;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every store tells its {@link RelatoObserver}: each append and stream load with its outcome and event count,
 * tagged with the store's name and the stream's category, and the metadata an append's observation carries stored
 * with each event (where a trace context travels to the event's handlers).
 *
 * <p>A store module runs it with a small subclass that builds a new, empty store reporting to the given observer.
 */
public abstract class ObservationContract {
    private final Counting observer = new Counting();
    private EventStore store;

    /** For the subclass of a store module. */
    protected ObservationContract() {
    }

    /** A new, empty store that reports to {@code observer}. */
    protected abstract EventStore createStore(RelatoObserver observer);

    /** The name the store reports itself under ("memory", "sqlite", "postgres", "nats"). */
    protected abstract String storeName();

    /** Releases what {@link #createStore} made; called after every test. The default closes it. */
    protected void destroyStore(EventStore used) {
        used.close();
    }

    @AfterEach
    final void destroyStoreUnderTest() {
        if (store != null) {
            destroyStore(store);
        }
    }

    private EventStore store() {
        if (store == null) {
            store = createStore(observer);
        }
        return store;
    }

    @Test
    void appendsAreReportedByOutcomeAndLoadsWithTheEventsTheyRead() {
        StreamId stream = StreamId.of("Observed", UUID.randomUUID().toString());
        EventData last = null;
        for (int i = 0; i < 10; i++) {
            last = EventData.of("Noted", "{\"n\":" + i + "}");
            store().append(stream, ExpectedVersion.exactly(i), List.of(last));
        }
        assertThatThrownBy(() -> store().append(stream, ExpectedVersion.exactly(3),
                List.of(EventData.of("Noted", "{}")))).isInstanceOf(WrongExpectedVersionException.class);
        assertThat(store().append(stream, ExpectedVersion.exactly(9), List.of(last)).retried()).isTrue();
        assertThatThrownBy(() -> store().append(stream, ExpectedVersion.any(), List.of()))
                .isInstanceOf(InvalidInputException.class);
        assertThat(store().read(stream)).hasSize(10);

        String prefix = storeName() + ":Observed:";
        assertThat(observer.count("append:" + prefix + "succeeded")).isEqualTo(10);
        assertThat(observer.count("append:" + prefix + "conflict")).isEqualTo(1);
        assertThat(observer.count("append:" + prefix + "retried")).isEqualTo(1);
        assertThat(observer.count("append:" + prefix + "invalid")).isEqualTo(1);
        assertThat(observer.count("append:" + prefix + "events")).isEqualTo(11);
        assertThat(observer.count("load:" + prefix + "succeeded")).isEqualTo(1);
        assertThat(observer.count("load:" + prefix + "events")).isEqualTo(10);
    }

    @Test
    void theMetadataAnAppendCarriesIsStoredWithEveryEvent() {
        StreamId stream = StreamId.of("Observed", UUID.randomUUID().toString());
        store().append(stream, ExpectedVersion.noStream(), List.of(
                EventData.of("Noted", "{}").withMetadata(Metadata.empty().withCorrelationId("c-1")),
                EventData.of("Noted", "{}")));

        assertThat(store().read(stream)).hasSize(2).allSatisfy(e -> assertThat(e.metadata().get(Counting.CARRIED))
                .contains("append:" + storeName() + ":Observed"));
        assertThat(store().read(stream).get(0).metadata().correlationId()).contains("c-1");
        try (Stream<RecordedEvent> all = store().readAll(GlobalRead.fromStart())) {
            assertThat(all.filter(e -> e.streamId().equals(stream)))
                    .hasSize(2).allSatisfy(e -> assertThat(e.metadata().get(Counting.CARRIED)).isPresent());
        }
    }

    /** Counts what it is told under keys such as {@code "append:sqlite:Observed:succeeded"}. */
    private static final class Counting implements RelatoObserver {
        static final String CARRIED = "observed";
        final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        int count(String key) {
            AtomicInteger n = counts.get(key);
            return n == null ? 0 : n.get();
        }

        private Observation counted(String prefix) {
            return new Observation() {
                @Override
                public Metadata carry(Metadata metadata) {
                    return metadata.with(CARRIED, prefix);
                }

                @Override
                public void end(Outcome outcome, int count) {
                    counts.computeIfAbsent(prefix + ":" + outcome.tag(), k -> new AtomicInteger()).incrementAndGet();
                    counts.computeIfAbsent(prefix + ":events", k -> new AtomicInteger()).addAndGet(count);
                }
            };
        }

        @Override
        public Observation append(String name, StreamId stream, int events) {
            return counted("append:" + name + ":" + stream.category());
        }

        @Override
        public Observation load(String name, StreamId stream) {
            return counted("load:" + name + ":" + stream.category());
        }
    }
}
