package dev.relato.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.aggregate.SnapshotPolicy;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.order.OrderCommand.AddLine;
import dev.relato.order.OrderCommand.PlaceOrder;
import dev.relato.order.OrderCommand;
import dev.relato.order.OrderDecider;
import dev.relato.order.OrderEvent.OrderLineAdded;
import dev.relato.order.OrderEvent;
import dev.relato.order.OrderState;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import dev.relato.snapshot.InMemorySnapshotStore;
import dev.relato.support.CountingEventStore;
import dev.relato.support.CountingObserver;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Repositories report attempts per command and snapshot hits to their store's observer. */
class RepositoryObservationTest {
    private final CountingObserver observer = new CountingObserver();
    private final InMemoryEventStore base = InMemoryEventStore.builder().observer(observer).build();
    private final CountingEventStore store = new CountingEventStore(base);
    private final EventSerializer serializer =
            EventSerializer.of(EventTypes.builder().registerSealed(OrderEvent.class).build());

    @Test
    void aConflictMakesTwoAttemptsAndSnapshotsAreCountedAsHitsAndMisses() {
        DeciderRepository<OrderCommand, OrderEvent, OrderState> orders = DeciderRepository.builder(store, serializer,
                "Order", OrderEvent.class, new OrderDecider())
                .snapshots(new InMemorySnapshotStore(), SnapshotPolicy.everyEvents(1), 1, OrderState.class).build();
        orders.handle("o-1", new PlaceOrder("o-1", "alice", Instant.parse("2024-05-01T10:00:00Z")));
        AtomicBoolean once = new AtomicBoolean();
        store.beforeAppend(stream -> {
            if (once.compareAndSet(false, true)) {
                base.append(stream, ExpectedVersion.any(), List.of(serializer.serialize(
                        new OrderLineAdded(stream.id(), "sneaky", 1, BigDecimal.ONE))));
            }
        });
        orders.handle("o-1", new AddLine("o-1", "apple", 1, BigDecimal.ONE));

        assertThat(observer.attempts).containsExactly(1, 2);
        assertThat(base.streamVersion(StreamId.of("Order", "o-1"))).isEqualTo(3);
        assertThat(observer.count("snapshot:Order:false")).isEqualTo(1);
        assertThat(observer.count("snapshot:Order:true")).isEqualTo(2);
    }
}
