package dev.relato.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.StreamId;
import dev.relato.order.Order;
import dev.relato.order.OrderCommand;
import dev.relato.order.OrderCommand.AddLine;
import dev.relato.order.OrderCommand.PlaceOrder;
import dev.relato.order.OrderDecider;
import dev.relato.order.OrderEvent;
import dev.relato.order.OrderState;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import dev.relato.snapshot.InMemorySnapshotStore;
import dev.relato.snapshot.Snapshot;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.support.CountingEventStore;
import dev.relato.memory.InMemoryEventStore;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotTest {
    private static final Instant AT = Instant.parse("2024-05-01T10:00:00Z");
    private static final StreamId O1 = StreamId.of("Order", "o-1");

    private final CountingEventStore store = new CountingEventStore(InMemoryEventStore.create());
    private final InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    private final EventSerializer serializer =
            EventSerializer.of(EventTypes.builder().registerSealed(OrderEvent.class).build());

    private DeciderRepository<OrderCommand, OrderEvent, OrderState> deciders(SnapshotStore snapshotStore, int schema) {
        return DeciderRepository.builder(store, serializer, "Order", OrderEvent.class, new OrderDecider())
                .snapshots(snapshotStore, SnapshotPolicy.everyEvents(5), schema, OrderState.class).build();
    }

    private DeciderRepository<OrderCommand, OrderEvent, OrderState> withoutSnapshots() {
        return DeciderRepository.builder(store, serializer, "Order", OrderEvent.class, new OrderDecider()).build();
    }

    /** Place and add lines until the stream is at {@code version}. */
    private static void fill(DeciderRepository<OrderCommand, OrderEvent, OrderState> repository, int version) {
        repository.handle("o-1", new PlaceOrder("o-1", "alice", AT));
        for (int v = 2; v <= version; v++) {
            repository.handle("o-1", new AddLine("o-1", "sku-" + v, v, new BigDecimal(v + ".10")));
        }
    }

    @Test
    void policies() {
        assertThat(SnapshotPolicy.never().shouldSnapshot(0, 1000)).isFalse();
        SnapshotPolicy everyThree = SnapshotPolicy.everyEvents(3);
        assertThat(everyThree.shouldSnapshot(0, 2)).isFalse();
        assertThat(everyThree.shouldSnapshot(2, 3)).isTrue();
        assertThat(everyThree.shouldSnapshot(2, 4)).isTrue();
        assertThat(everyThree.shouldSnapshot(3, 5)).isFalse();
        assertThat(everyThree.shouldSnapshot(5, 12)).isTrue();
    }

    @Test
    void snapshotsAreTakenByPolicyAndOnlyLaterEventsAreReplayed() {
        DeciderRepository<OrderCommand, OrderEvent, OrderState> orders = deciders(snapshots, 1);
        fill(orders, 12);

        Snapshot snapshot = snapshots.load(O1).orElseThrow();
        assertThat(snapshot.version()).isEqualTo(10);
        assertThat(snapshot.schemaVersion()).isEqualTo(1);

        store.resetCounts();
        Aggregate<OrderState> loaded = orders.load("o-1").orElseThrow();
        assertThat(store.eventsRead()).isEqualTo(2);
        assertThat(store.lastRead().from()).isEqualTo(11);
        assertThat(loaded.version()).isEqualTo(12);
        assertThat(loaded).isEqualTo(withoutSnapshots().load("o-1").orElseThrow());
    }

    @Test
    void asOfVersionUsesOnlySnapshotsAtOrBelowIt() {
        DeciderRepository<OrderCommand, OrderEvent, OrderState> orders = deciders(snapshots, 1);
        fill(orders, 12);
        DeciderRepository<OrderCommand, OrderEvent, OrderState> plain = withoutSnapshots();

        store.resetCounts();
        assertThat(orders.load("o-1", 7)).isEqualTo(plain.load("o-1", 7));
        assertThat(store.eventsRead()).isEqualTo(7 + 7);

        store.resetCounts();
        assertThat(orders.load("o-1", 10).orElseThrow().version()).isEqualTo(10);
        assertThat(store.eventsRead()).isZero();

        store.resetCounts();
        assertThat(orders.load("o-1", 11)).isEqualTo(plain.load("o-1", 11));
        assertThat(store.eventsRead()).isEqualTo(1 + 11);
    }

    @Test
    void snapshotsOfAnotherSchemaVersionAreIgnoredAndReplaced() {
        fill(deciders(snapshots, 1), 12);
        DeciderRepository<OrderCommand, OrderEvent, OrderState> newSchema = deciders(snapshots, 2);

        store.resetCounts();
        Aggregate<OrderState> loaded = newSchema.load("o-1").orElseThrow();
        assertThat(store.eventsRead()).isEqualTo(12);
        assertThat(loaded).isEqualTo(withoutSnapshots().load("o-1").orElseThrow());

        for (int i = 0; i < 3; i++) {
            newSchema.handle("o-1", new AddLine("o-1", "more-" + i, 1, BigDecimal.ONE));
        }
        assertThat(snapshots.load(O1).orElseThrow().schemaVersion()).isEqualTo(2);
        assertThat(snapshots.load(O1).orElseThrow().version()).isEqualTo(15);
    }

    @Test
    void unreadableSnapshotsAreIgnored() {
        fill(withoutSnapshots(), 6);
        snapshots.save(new Snapshot(O1, 5, 1, "{\"status\":\"NOT_A_STATUS\"}", Instant.now()));

        store.resetCounts();
        Aggregate<OrderState> loaded = deciders(snapshots, 1).load("o-1").orElseThrow();

        assertThat(store.eventsRead()).isEqualTo(6);
        assertThat(loaded.version()).isEqualTo(6);
    }

    @Test
    void failingSnapshotStoresNeverFailCommands() {
        SnapshotStore broken = new SnapshotStore() {
            @Override
            public Optional<Snapshot> load(StreamId stream) {
                throw new IllegalStateException("snapshot store is down");
            }

            @Override
            public void save(Snapshot snapshot) {
                throw new IllegalStateException("snapshot store is down");
            }

            @Override
            public void delete(StreamId stream) {
                throw new IllegalStateException("snapshot store is down");
            }
        };
        DeciderRepository<OrderCommand, OrderEvent, OrderState> orders = deciders(broken, 1);

        fill(orders, 6);

        assertThat(orders.load("o-1").orElseThrow()).isEqualTo(withoutSnapshots().load("o-1").orElseThrow());
    }

    @Test
    void aggregateRootsAreSnapshottedToo() {
        AggregateRootRepository<Order, OrderEvent> orders = AggregateRootRepository
                .builder(store, serializer, "Order", OrderEvent.class, Order.class)
                .snapshots(snapshots, SnapshotPolicy.everyEvents(2), 1)
                .build();
        orders.create("o-1", order -> order.place("alice", AT));
        for (int i = 0; i < 4; i++) {
            String sku = "sku-" + i;
            orders.update("o-1", order -> order.addLine(sku, 1, new BigDecimal("2.50")));
        }
        assertThat(snapshots.load(O1).orElseThrow().version()).isEqualTo(4);
        assertThat(snapshots.load(O1).orElseThrow().payload()).doesNotContain("uncommitted");

        store.resetCounts();
        Order loaded = orders.load("o-1").orElseThrow();

        assertThat(store.eventsRead()).isEqualTo(1);
        assertThat(loaded.id()).isEqualTo("o-1");
        assertThat(loaded.version()).isEqualTo(5);
        assertThat(loaded.customer()).isEqualTo("alice");
        assertThat(loaded.lines()).extracting(OrderState.Line::sku).containsExactly("sku-0", "sku-1", "sku-2", "sku-3");
        assertThat(loaded.uncommittedEvents()).isEmpty();
    }

    @Test
    void snapshotsCanBeTakenNowAndSkippedPerLoad() {
        DeciderRepository<OrderCommand, OrderEvent, OrderState> orders = DeciderRepository.builder(store, serializer,
                "Order", OrderEvent.class, new OrderDecider())
                .snapshots(snapshots, SnapshotPolicy.never(), 1, OrderState.class).build();
        fill(orders, 4);
        assertThat(snapshots.load(O1)).isEmpty();

        assertThat(orders.snapshotNow("o-1")).isEqualTo(4);
        assertThat(snapshots.load(O1).orElseThrow().version()).isEqualTo(4);

        store.resetCounts();
        assertThat(orders.load("o-1").orElseThrow().version()).isEqualTo(4);
        assertThat(store.eventsRead()).isZero();
        assertThat(orders.loadWithoutSnapshot("o-1")).isEqualTo(orders.load("o-1"));
        assertThat(store.eventsRead()).isEqualTo(4);

        assertThatThrownBy(() -> orders.snapshotNow("o-9")).isInstanceOf(AggregateNotFoundException.class);
        assertThatThrownBy(() -> withoutSnapshots().snapshotNow("o-1")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("snapshots(");

        AggregateRootRepository<Order, OrderEvent> roots = AggregateRootRepository
                .builder(store, serializer, "Order", OrderEvent.class, Order::new)
                .snapshots(snapshots, SnapshotPolicy.never(), 1).build();
        roots.update("o-1", order -> order.addLine("sku-5", 1, BigDecimal.ONE));
        assertThat(roots.snapshotNow("o-1")).isEqualTo(5);
        assertThat(roots.load("o-1").orElseThrow().lines()).hasSize(4);
        assertThat(roots.loadWithoutSnapshot("o-1").orElseThrow().lines()).hasSize(4);
    }

    /** A state the default codec cannot write: Optional needs jackson-datatype-jdk8. */
    record Noted(String customer, Optional<String> note) {
    }

    /** A root the default codec cannot write, for the same reason. */
    static final class NotedOrder extends AggregateRoot<OrderEvent> {
        public Optional<String> note = Optional.empty();

        @Override
        protected void apply(OrderEvent event) {
        }
    }

    @Test
    void buildingARepositoryWhoseSnapshotsCannotBeWrittenFailsNamingTheFieldAndTheFix() {
        Decider<OrderCommand, OrderEvent, Noted> noting = Decider.of(() -> new Noted("", Optional.empty()),
                (command, state) -> List.of(), (state, event) -> state);
        assertThatThrownBy(() -> DeciderRepository.builder(store, serializer, "Order", OrderEvent.class, noting)
                .snapshots(snapshots, SnapshotPolicy.everyEvents(10), 1, Noted.class).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Noted.class.getName()).hasMessageContaining("field 'note'")
                .hasMessageContaining("jackson-datatype-jdk8");
        assertThat(DeciderRepository.builder(store, serializer, "Order", OrderEvent.class, noting).build()).isNotNull();

        assertThatThrownBy(() -> AggregateRootRepository.builder(store, serializer, "Order", OrderEvent.class,
                NotedOrder::new).snapshots(snapshots, SnapshotPolicy.everyEvents(10), 1).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(NotedOrder.class.getName()).hasMessageContaining("field 'note'");
    }
}
