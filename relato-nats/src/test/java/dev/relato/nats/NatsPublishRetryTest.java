package dev.relato.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.observe.RelatoObserver;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A publish tried again because another writer moved the stream on is reported to the observer. */
class NatsPublishRetryTest extends NatsStoreFixture {

    @Test
    void aPublishOvertakenOnceIsReportedAsOneRetry() {
        AtomicInteger retries = new AtomicInteger();
        RelatoObserver observer = new RelatoObserver() {
            @Override
            public void publishRetried(String name) {
                assertThat(name).isEqualTo("nats");
                retries.incrementAndGet();
            }
        };
        try (NatsEventStore observed = NatsEventStore.builder().connection(connection).streamName(streamName)
                .observer(observer).build()) {
            StreamId stream = StreamId.of("Counter", "1");
            AtomicInteger overtaken = new AtomicInteger();
            observed.probe(new Appender.Probe() {
                @Override
                public void beforePublish(StreamId s) {
                    if (overtaken.getAndIncrement() == 0) {
                        store.append(stream, ExpectedVersion.any(), List.of(EventData.of("Rival", "{}")));
                    }
                }
            });
            observed.append(stream, ExpectedVersion.any(), List.of(EventData.of("Mine", "{}")));

            assertThat(retries).hasValue(1);
            assertThat(observed.read(stream)).extracting(e -> e.type()).containsExactly("Rival", "Mine");
        }
    }
}
