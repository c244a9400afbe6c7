package dev.relato.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.aggregate.Decider;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.aggregate.SnapshotPolicy;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.micrometer.Counted.Raised;
import dev.relato.projection.FailurePolicy;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.projection.InMemoryDeadLetterStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.snapshot.InMemorySnapshotStore;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The named meters move with known work. */
class RelatoMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RelatoMetrics metrics = RelatoMetrics.of(registry);
    private final InMemoryEventStore store = InMemoryEventStore.builder().observer(metrics).build();

    @AfterEach
    void close() {
        store.close();
    }

    private void raise(StreamId stream, long expected, int by) {
        store.append(stream, ExpectedVersion.exactly(expected), List.of(Counted.SERIALIZER.serialize(new Raised(by))));
    }

    @Test
    void tenAppendsAndOneConflictCountTenAndOne() {
        StreamId stream = StreamId.of("Counter", "c-1");
        for (int i = 0; i < 10; i++) {
            raise(stream, i, 1);
        }
        assertThatThrownBy(() -> raise(stream, 3, 1)).isInstanceOf(WrongExpectedVersionException.class);
        store.read(stream);

        assertThat(registry.get(RelatoMetrics.APPEND).tags("store", "memory", "category", "Counter", "outcome",
                "succeeded").timer().count()).isEqualTo(10);
        assertThat(registry.get(RelatoMetrics.APPEND).tags("outcome", "conflict").timer().count()).isEqualTo(1);
        assertThat(registry.get(RelatoMetrics.APPEND_EVENTS).summary().totalAmount()).isEqualTo(10);
        assertThat(registry.get(RelatoMetrics.LOAD).tags("outcome", "succeeded").timer().count()).isEqualTo(1);
        assertThat(registry.get(RelatoMetrics.LOAD_EVENTS).summary().totalAmount()).isEqualTo(10);
        assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTags())
                .noneMatch(t -> t.getValue().equals("c-1")));
    }

    @Test
    void attemptsPerCommandAndSnapshotHitsAreCounted() {
        DeciderRepository<Integer, Counted, Integer> counters = DeciderRepository.builder(store, Counted.SERIALIZER,
                "Counter", Counted.class, Decider.<Integer, Counted, Integer>of(() -> 0,
                        (by, total) -> List.of(new Raised(by)), (total, e) -> total + ((Raised) e).by()))
                .snapshots(new InMemorySnapshotStore(), SnapshotPolicy.everyEvents(1), 1, Integer.class).build();
        counters.handle("c-1", 2);
        counters.handle("c-1", 3);

        assertThat(registry.get(RelatoMetrics.COMMAND_ATTEMPTS).tags("category", "Counter").summary().count())
                .isEqualTo(2);
        assertThat(registry.get(RelatoMetrics.COMMAND_ATTEMPTS).summary().totalAmount()).isEqualTo(2);
        assertThat(registry.get(RelatoMetrics.SNAPSHOT_LOADS).tags("result", "miss").counter().count()).isEqualTo(1);
        assertThat(registry.get(RelatoMetrics.SNAPSHOT_LOADS).tags("result", "hit").counter().count()).isEqualTo(1);
    }

    @Test
    void aRunnersFailuresRetriesDeadLettersBatchesAndGaugesMove() throws Exception {
        for (int i = 1; i <= 3; i++) {
            raise(StreamId.of("Counter", "c-" + i), 0, i);
        }
        Projection<int[]> picky = Projection.<int[]>named("totals").on(Raised.class, (total, e, rec) -> {
            if (e.by() == 2) {
                throw new IllegalStateException("two is not welcome");
            }
            total[0] += e.by();
        }).build();
        try (ProjectionRunner<int[]> runner = ProjectionRunner.builder(picky, store, Counted.SERIALIZER)
                .context(new int[1], new InMemoryCheckpointStore())
                .failurePolicy(FailurePolicy.retry(3, Duration.ofMillis(1)).thenSkip())
                .deadLetters(new InMemoryDeadLetterStore()).start()) {
            metrics.bind(runner);
            assertThat(runner.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
            raise(StreamId.of("Counter", "c-4"), 0, 4);
            assertThat(runner.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();

            assertThat(registry.get(RelatoMetrics.FAILURES).tags("projection", "totals").counter().count()).isEqualTo(3);
            assertThat(registry.get(RelatoMetrics.RETRIES).counter().count()).isEqualTo(2);
            assertThat(registry.get(RelatoMetrics.DEAD_LETTERS).counter().count()).isEqualTo(1);
            assertThat(registry.get(RelatoMetrics.BATCH).tags("projection", "totals").timer().count()).isEqualTo(1);
            assertThat(registry.get(RelatoMetrics.BATCH_EVENTS).summary().totalAmount()).isEqualTo(1);
            assertThat(registry.get(RelatoMetrics.HANDLE).tags("outcome", "failed").timer().count()).isEqualTo(3);
            assertThat(registry.get(RelatoMetrics.LAG_POSITIONS).gauge().value()).isZero();
            assertThat(registry.get(RelatoMetrics.STATE).tags("state", "caught_up").gauge().value()).isEqualTo(1);
            assertThat(registry.get(RelatoMetrics.STATE).tags("state", "failed").gauge().value()).isZero();
            assertThat(registry.get(RelatoMetrics.LEASE_HELD).gauge().value()).isEqualTo(1);
            metrics.unbind(runner);
            assertThat(registry.find(RelatoMetrics.LAG_POSITIONS).gauge()).isNull();
        }
    }

    @Test
    void storeSpecificWaitsAreRecorded() {
        metrics.writeQueueWait("sqlite", Duration.ofMillis(3));
        metrics.groupCommit("sqlite", 4);
        metrics.readersHeldBack("postgres", Duration.ofSeconds(2));
        metrics.publishRetried("nats");

        assertThat(registry.get(RelatoMetrics.WRITE_QUEUE_WAIT).tags("store", "sqlite").timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(3);
        assertThat(registry.get(RelatoMetrics.GROUP_COMMIT_SIZE).summary().totalAmount()).isEqualTo(4);
        assertThat(registry.get(RelatoMetrics.READERS_HELD_BACK).tags("store", "postgres").timer()
                .totalTime(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(registry.get(RelatoMetrics.PUBLISH_RETRIES).tags("store", "nats").counter().count()).isEqualTo(1);
    }

    @Test
    void theCurrentHoldBackIsAGaugeThatFallsToZeroWhenItEnds() {
        metrics.readersHeldBack("postgres", Duration.ofSeconds(2));
        metrics.readersHeldBack("postgres", Duration.ofSeconds(3));
        assertThat(registry.get(RelatoMetrics.READERS_HELD_BACK_NOW).tags("store", "postgres").timeGauge()
                .value(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3);

        metrics.readersHeldBack("postgres", Duration.ZERO);
        assertThat(registry.get(RelatoMetrics.READERS_HELD_BACK_NOW).tags("store", "postgres").timeGauge()
                .value(java.util.concurrent.TimeUnit.SECONDS)).isZero();
        Timer held = registry.get(RelatoMetrics.READERS_HELD_BACK).tags("store", "postgres").timer();
        assertThat(held.count()).isEqualTo(2);
        assertThat(held.max(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3);
    }
}
