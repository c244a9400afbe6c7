package dev.relato.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.memory.InMemoryEventStore;
import dev.relato.observe.Health;
import dev.relato.projection.ProjectionRunnerTest.OrderBook;
import dev.relato.support.CountingObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** A runner reports handling, batches, failures, retries and dead letters to its store's observer, and sets the MDC. */
class ProjectionObservationTest {
    private final CountingObserver observer = new CountingObserver();
    private final InMemoryEventStore store = InMemoryEventStore.builder().observer(observer).build();

    @Test
    void failuresRetriesAndDeadLettersAreCounted() {
        PlacedOrders.place(store, 3);
        Projection<OrderBook> failing = PlacedOrders.projection("failing", (book, e, rec) -> {
            if (e.orderId().equals("o-2")) {
                throw new IllegalStateException("cannot handle o-2");
            }
            book.apply(e.orderId(), "placed", rec.position());
        });
        ProjectionStatus status = ProjectionRunner.builder(failing, store, PlacedOrders.SERIALIZER)
                .context(new OrderBook(), new InMemoryCheckpointStore())
                .failurePolicy(FailurePolicy.retry(3, Duration.ofMillis(1)).thenSkip())
                .deadLetters(new InMemoryDeadLetterStore()).catchUp();

        assertThat(status.position()).isEqualTo(3);
        assertThat(observer.count("failed:failing")).isEqualTo(3);
        assertThat(observer.count("retried:failing")).isEqualTo(2);
        assertThat(observer.count("deadLettered:failing")).isEqualTo(1);
        assertThat(observer.count("handle:failing:failed")).isEqualTo(3);
        assertThat(observer.count("handle:failing:succeeded")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aBatchIsCountedAndTheMdcNamesTheProjectionStreamAndCorrelationWhileAHandlerRuns() {
        PlacedOrders.place(store, 3);
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        MDC.put(HandlerContext.PROJECTION, "outer");
        try {
            ProjectionRunner.builder(PlacedOrders.projection("logged", (book, e, rec) -> seen.add(MDC.getCopyOfContextMap())),
                    store, PlacedOrders.SERIALIZER).context(new OrderBook(), new InMemoryCheckpointStore()).catchUp();
            assertThat(MDC.get(HandlerContext.PROJECTION)).isEqualTo("outer");
            assertThat(MDC.get(HandlerContext.STREAM)).isNull();
        } finally {
            MDC.remove(HandlerContext.PROJECTION);
        }

        assertThat(observer.count("batch:logged")).isEqualTo(3);
        assertThat(observer.count("handle:logged:succeeded")).isEqualTo(3);
        assertThat(seen).hasSize(3);
        assertThat(seen.get(1)).containsEntry("relato.projection", "logged").containsEntry("relato.stream", "Order-o-2")
                .doesNotContainKey("relato.correlationId");
    }

    @Test
    void healthIsDownWhenARunnerLagsBeyondItsLimitOrFailed() {
        ProjectionStatus lagging = new ProjectionStatus("p", ProjectionState.CATCHING_UP, 10, 110, 100,
                Duration.ofSeconds(5), java.util.Optional.empty(), PlacedOrders.AT);
        assertThat(Health.of(lagging, 100, Duration.ofMinutes(1)).up()).isTrue();
        assertThat(Health.of(lagging, 99, Duration.ofMinutes(1)).up()).isFalse();
        assertThat(Health.of(lagging, 100, Duration.ofSeconds(4))).satisfies(h -> {
            assertThat(h.up()).isFalse();
            assertThat(h.component()).isEqualTo("projection:p");
            assertThat(h.detail()).contains("100 positions");
        });
        ProjectionStatus failed = new ProjectionStatus("p", ProjectionState.FAILED, 10, 10, 0, Duration.ZERO,
                java.util.Optional.of("boom"), PlacedOrders.AT);
        assertThat(Health.of(failed, 100, Duration.ofMinutes(1))).satisfies(h -> {
            assertThat(h.up()).isFalse();
            assertThat(h.detail()).contains("boom");
        });
        ProjectionStatus standby = new ProjectionStatus("p", ProjectionState.STANDBY, 0, 500, 500, Duration.ofHours(1),
                java.util.Optional.empty(), PlacedOrders.AT);
        assertThat(Health.of(standby, 0, Duration.ZERO).up()).isTrue();
    }

    @Test
    void storeHealthIsARoundTripAndDownOnceTheStoreFails() {
        PlacedOrders.place(store, 2);
        assertThat(Health.of(store)).isEqualTo(new Health("store", true, "head position 2"));
        store.close();
        assertThat(Health.of(store).up()).isFalse();
    }
}
