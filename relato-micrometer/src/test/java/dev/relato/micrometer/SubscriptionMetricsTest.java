package dev.relato.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.micrometer.Counted.Raised;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A plain subscription's lag in positions and in time, and its state, as gauges. */
class SubscriptionMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    private final RelatoMetrics metrics = RelatoMetrics.of(registry);
    private final InMemoryEventStore store = InMemoryEventStore.create();

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aSubscriptionHeldAtItsFirstEventLagsByTheEventsAfterItAndByTheAgeOfThatEvent() throws Exception {
        StreamId stream = StreamId.of("Counter", "c-1");
        for (int i = 0; i < 3; i++) {
            store.append(stream, ExpectedVersion.exactly(i), List.of(Counted.SERIALIZER.serialize(new Raised(1))));
        }
        RecordedEvent first = store.read(stream).get(0);
        clock.add(first.recordedAt().toEpochMilli() - clock.wallTime() + 5_000, TimeUnit.MILLISECONDS);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SubscriptionListener held = event -> {
            entered.countDown();
            assertThat(release.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        };

        try (Subscription subscription = store.subscribe(0, EventFilter.all(), held)) {
            metrics.bind("audit", subscription, store);
            assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            assertThat(lagPositions()).isEqualTo(3);
            assertThat(registry.get(RelatoMetrics.SUBSCRIPTION_LAG_TIME).tags("subscription", "audit").timeGauge()
                    .value(TimeUnit.MILLISECONDS)).isEqualTo(5_000);
            assertThat(state("catching_up") + state("live")).isEqualTo(1);

            release.countDown();
            assertThat(subscription.awaitCaughtUp(WAIT)).isTrue();
            assertThat(lagPositions()).isZero();
            assertThat(registry.get(RelatoMetrics.SUBSCRIPTION_LAG_TIME).timeGauge().value()).isZero();
            assertThat(state("live")).isEqualTo(1);
            assertThat(state("failed")).isZero();

            metrics.unbind(subscription);
            assertThat(registry.find(RelatoMetrics.SUBSCRIPTION_LAG_POSITIONS).gauges()).isEmpty();
            assertThat(registry.find(RelatoMetrics.SUBSCRIPTION_STATE).gauges()).isEmpty();
        }
    }

    private double lagPositions() {
        return registry.get(RelatoMetrics.SUBSCRIPTION_LAG_POSITIONS).tags("subscription", "audit").gauge().value();
    }

    private double state(String state) {
        return registry.get(RelatoMetrics.SUBSCRIPTION_STATE).tags("subscription", "audit", "state", state).gauge()
                .value();
    }
}
