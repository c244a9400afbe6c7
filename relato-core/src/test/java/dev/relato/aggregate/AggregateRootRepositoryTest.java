package dev.relato.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.order.Order;
import dev.relato.order.OrderEvent.OrderConfirmed;
import dev.relato.order.OrderEvent.OrderLineAdded;
import dev.relato.order.OrderEvent.OrderPlaced;
import dev.relato.order.OrderEvent;
import dev.relato.order.OrderState;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import dev.relato.support.CountingEventStore;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AggregateRootRepositoryTest {
    private static final Instant AT = Instant.parse("2024-05-01T10:00:00Z");
    private static final StreamId O1 = StreamId.of("Order", "o-1");

    private final InMemoryEventStore base = InMemoryEventStore.create();
    private final CountingEventStore store = new CountingEventStore(base);
    private final EventSerializer serializer =
            EventSerializer.of(EventTypes.builder().registerSealed(OrderEvent.class).build());
    private final AggregateRootRepository<Order, OrderEvent> orders = repository(5);

    private AggregateRootRepository<Order, OrderEvent> repository(int retries) {
        return AggregateRootRepository.builder(store, serializer, "Order", OrderEvent.class, Order::new)
                .maxRetries(retries).build();
    }

    @Test
    void createdRootsAreSavedAndLoadedBack() {
        Order created = orders.create("o-1", order -> {
            order.place("alice", AT);
            order.addLine("apple", 2, new BigDecimal("0.50"));
        });

        assertThat(created.version()).isEqualTo(2);
        assertThat(created.uncommittedEvents()).isEmpty();
        assertThat(base.read(O1)).extracting(RecordedEvent::type).containsExactly("OrderPlaced", "OrderLineAdded");

        Order loaded = orders.load("o-1").orElseThrow();
        assertThat(loaded.id()).isEqualTo("o-1");
        assertThat(loaded.version()).isEqualTo(2);
        assertThat(loaded.customer()).isEqualTo("alice");
        assertThat(loaded.lines()).containsExactly(new OrderState.Line("apple", 2, new BigDecimal("0.50")));
        assertThat(loaded.hasUncommittedEvents()).isFalse();
        assertThat(orders.load("o-2")).isEmpty();
    }

    @Test
    void raisedEventsApplyAtOnceAndStayUncommittedUntilSaved() {
        orders.create("o-1", order -> order.place("alice", AT));
        Order order = orders.load("o-1").orElseThrow();

        order.addLine("apple", 1, BigDecimal.ONE);
        order.confirm();

        assertThat(order.confirmed()).isTrue();
        assertThat(order.version()).isEqualTo(1);
        assertThat(order.uncommittedEvents()).containsExactly(
                new OrderLineAdded("o-1", "apple", 1, BigDecimal.ONE), new OrderConfirmed("o-1"));
        assertThat(orders.save(order, Metadata.empty().withCorrelationId("c-1"))).isEqualTo(3);
        assertThat(order.uncommittedEvents()).isEmpty();
        assertThat(base.read(O1).get(2).metadata().correlationId()).contains("c-1");
        store.resetCounts();
        assertThat(orders.save(order)).isEqualTo(3);
        assertThat(store.appends()).isZero();
    }

    @Test
    void updateLoadsChangesAndSaves() {
        orders.create("o-1", order -> order.place("alice", AT));

        Order updated = orders.update("o-1", order -> order.addLine("pear", 3, BigDecimal.TEN));

        assertThat(updated.version()).isEqualTo(2);
        assertThat(orders.load("o-1").orElseThrow().lines()).hasSize(1);
    }

    @Test
    void updatingAMissingRootFails() {
        assertThatThrownBy(() -> orders.update("o-9", Order::confirm))
                .isInstanceOfSatisfying(AggregateNotFoundException.class,
                        e -> assertThat(e.stream()).isEqualTo(StreamId.of("Order", "o-9")));
        assertThat(base.streamVersion(StreamId.of("Order", "o-9"))).isZero();
    }

    @Test
    void creatingAnExistingRootFails() {
        orders.create("o-1", order -> order.place("alice", AT));

        assertThatThrownBy(() -> orders.create("o-1", order -> order.place("bob", AT)))
                .isInstanceOf(WrongExpectedVersionException.class);
        assertThat(orders.load("o-1").orElseThrow().customer()).isEqualTo("alice");
    }

    @Test
    void creatingAnExistingRootFailsWhateverTheActionRaises() {
        orders.create("o-1", order -> order.place("alice", AT));

        assertThatThrownBy(() -> orders.create("o-1", order -> { }))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.noStream());
                    assertThat(e.actualVersion()).isEqualTo(1);
                });
        Order nothing = orders.create("o-2", order -> { });
        assertThat(nothing.version()).isZero();
        assertThat(base.exists(StreamId.of("Order", "o-2"))).isFalse();
    }

    @Test
    void loadOrCreateLoadsAnExistingRootOrCreatesIt() {
        Order created = orders.loadOrCreate("o-1", order -> order.place("alice", AT));
        assertThat(created.version()).isEqualTo(1);

        AtomicInteger creations = new AtomicInteger();
        Order loaded = orders.loadOrCreate("o-1", order -> {
            creations.incrementAndGet();
            order.place("bob", AT);
        });
        assertThat(loaded.customer()).isEqualTo("alice");
        assertThat(creations).hasValue(0);

        store.beforeAppend(stream -> {
            if (!base.exists(stream)) {
                base.append(stream, ExpectedVersion.noStream(), List.of(serializer.serialize(
                        new OrderPlaced(stream.id(), "mallory", AT))));
            }
        });
        assertThat(orders.loadOrCreate("o-2", order -> order.place("carol", AT)).customer()).isEqualTo("mallory");
    }

    @Test
    void aRepositoryBuiltFromTheClassMakesRootsWithItsConstructor() {
        AggregateRootRepository<Order, OrderEvent> byClass = AggregateRootRepository
                .builder(store, serializer, "Order", OrderEvent.class, Order.class).build();
        byClass.create("o-1", order -> order.place("alice", AT));
        assertThat(byClass.load("o-1").orElseThrow().customer()).isEqualTo("alice");

        assertThatThrownBy(() -> AggregateRootRepository.builder(store, serializer, "Order", OrderEvent.class,
                Numbered.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Numbered.class.getName()).hasMessageContaining("Numbered::new");
    }

    /** A root without a constructor without arguments. */
    static final class Numbered extends AggregateRoot<OrderEvent> {
        Numbered(int number) {
        }

        @Override
        protected void apply(OrderEvent event) {
        }
    }

    @Test
    void savingAStaleRootFails() {
        orders.create("o-1", order -> order.place("alice", AT));
        Order first = orders.load("o-1").orElseThrow();
        Order second = orders.load("o-1").orElseThrow();
        first.addLine("apple", 1, BigDecimal.ONE);
        second.addLine("pear", 1, BigDecimal.ONE);

        orders.save(first);

        assertThatThrownBy(() -> orders.save(second))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.exactly(1));
                    assertThat(e.actualVersion()).isEqualTo(2);
                });
        assertThat(second.uncommittedEvents()).hasSize(1);
    }

    @Test
    void rejectedActionsAreNotRetriedAndAppendNothing() {
        orders.create("o-1", order -> order.place("alice", AT));
        AtomicInteger runs = new AtomicInteger();
        store.resetCounts();

        assertThatThrownBy(() -> orders.update("o-1", order -> {
            runs.incrementAndGet();
            order.confirm();
        })).isInstanceOf(IllegalStateException.class).hasMessage("order o-1 has no lines");
        assertThat(runs).hasValue(1);
        assertThat(store.appends()).isZero();
    }

    @Test
    void updatesRetryAfterAConcurrentWriteThenGiveUp() {
        orders.create("o-1", order -> order.place("alice", AT));
        AtomicInteger runs = new AtomicInteger();
        store.beforeAppend(stream -> base.append(stream, ExpectedVersion.any(),
                List.of(serializer.serialize(new OrderLineAdded("o-1", "sneaky", 1, BigDecimal.ONE)))));

        assertThatThrownBy(() -> repository(3).update("o-1", order -> {
            runs.incrementAndGet();
            order.addLine("apple", 1, BigDecimal.ONE);
        })).isInstanceOf(WrongExpectedVersionException.class);
        assertThat(runs).hasValue(4);
    }

    @Test
    void loadsAsOfAVersionAndAnInstant() {
        orders.create("o-1", order -> order.place("alice", AT));
        Instant afterPlacing = base.read(O1).get(0).recordedAt();
        while (!Instant.now().isAfter(afterPlacing)) {
            Thread.onSpinWait();
        }
        orders.update("o-1", order -> order.addLine("apple", 1, BigDecimal.ONE));

        Order atOne = orders.load("o-1", 1).orElseThrow();
        assertThat(atOne.version()).isEqualTo(1);
        assertThat(atOne.lines()).isEmpty();
        Order then = orders.loadAsOf("o-1", afterPlacing).orElseThrow();
        assertThat(then.version()).isEqualTo(1);
        assertThat(then.lines()).isEmpty();
        assertThat(orders.loadAsOf("o-1", afterPlacing.minusNanos(1))).isEmpty();
    }

    @Test
    void concurrentUpdatesOfOneRootInOneProcessNeverConflict() throws Exception {
        AggregateRootRepository<Order, OrderEvent> noRetries = repository(0);
        noRetries.create("o-1", order -> order.place("alice", AT));
        store.resetCounts();
        int threads = 32;
        int perThread = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String prefix = "t" + t + "-";
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        String sku = prefix + i;
                        noRetries.update("o-1", order -> order.addLine(sku, 1, BigDecimal.ONE));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.appends()).as("one append per update: no conflict").isEqualTo(threads * perThread);
        Order loaded = noRetries.load("o-1").orElseThrow();
        assertThat(loaded.version()).isEqualTo(1 + threads * perThread);
        assertThat(loaded.lines()).hasSize(threads * perThread).extracting(OrderState.Line::sku).doesNotHaveDuplicates();
    }

    @Test
    void rootsRehydrateOnlyOnce() {
        Order order = new Order();
        order.rehydrate("o-5", List.of(new OrderPlaced("o-5", "eve", AT)));

        assertThat(order.version()).isEqualTo(1);
        assertThat(order.customer()).isEqualTo("eve");
        assertThatThrownBy(() -> order.rehydrate("o-5", List.of())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Order().id()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no id yet");
    }
}
