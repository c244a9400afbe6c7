package dev.relato.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.RetryPolicy;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.order.OrderCommand.AddLine;
import dev.relato.order.OrderCommand.ConfirmOrder;
import dev.relato.order.OrderCommand.PlaceOrder;
import dev.relato.order.OrderCommand;
import dev.relato.order.OrderDecider;
import dev.relato.order.OrderEvent.OrderConfirmed;
import dev.relato.order.OrderEvent.OrderLineAdded;
import dev.relato.order.OrderEvent;
import dev.relato.order.OrderState.Status;
import dev.relato.order.OrderState;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import dev.relato.snapshot.InMemorySnapshotStore;
import dev.relato.support.CountingEventStore;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeciderRepositoryTest {
    private static final Instant PLACED_AT = Instant.parse("2024-05-01T10:00:00Z");

    private final EventStore base = InMemoryEventStore.create();
    private final CountingEventStore store = new CountingEventStore(base);
    private final EventSerializer serializer =
            EventSerializer.of(EventTypes.builder().registerSealed(OrderEvent.class).build());
    private final DeciderRepository<OrderCommand, OrderEvent, OrderState> orders = repository(5);

    private DeciderRepository<OrderCommand, OrderEvent, OrderState> repository(int retries) {
        return DeciderRepository.builder(store, serializer, "Order", OrderEvent.class, new OrderDecider())
                .maxRetries(retries).build();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static AddLine line(String orderId, String sku) {
        return new AddLine(orderId, sku, 2, new BigDecimal("1.25"));
    }

    @Test
    void aMissingStreamLoadsAsEmpty() {
        assertThat(orders.load("o-0")).isEmpty();
        assertThat(orders.load("o-0", 3)).isEmpty();
        assertThat(orders.loadAsOf("o-0", Instant.now())).isEmpty();
    }

    @Test
    void commandsAreDecidedAppendedAndFoldedBack() {
        orders.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        orders.handle("o-1", line("o-1", "apple"));
        CommandResult<OrderState, OrderEvent> result = orders.handle("o-1", new ConfirmOrder("o-1"));

        assertThat(result.events()).containsExactly(new OrderConfirmed("o-1"));
        assertThat(result.version()).isEqualTo(3);
        assertThat(result.state().status()).isEqualTo(Status.CONFIRMED);
        Aggregate<OrderState> loaded = orders.load("o-1").orElseThrow();
        assertThat(loaded.version()).isEqualTo(3);
        assertThat(loaded.stream()).isEqualTo(StreamId.of("Order", "o-1"));
        assertThat(loaded.state()).isEqualTo(result.state());
        assertThat(loaded.state().total()).isEqualByComparingTo("2.50");
    }

    @Test
    void aDecisionOfNoEventsAppendsNothing() {
        orders.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        orders.handle("o-1", line("o-1", "apple"));
        orders.handle("o-1", new ConfirmOrder("o-1"));
        store.resetCounts();

        CommandResult<OrderState, OrderEvent> again = orders.handle("o-1", new ConfirmOrder("o-1"));

        assertThat(again.events()).isEmpty();
        assertThat(again.version()).isEqualTo(3);
        assertThat(store.appends()).isZero();
    }

    @Test
    void domainRejectionsReachTheCallerAndAppendNothing() {
        orders.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));

        assertThatThrownBy(() -> orders.handle("o-1", new ConfirmOrder("o-1")))
                .isInstanceOf(IllegalStateException.class).hasMessage("order o-1 has no lines");
        assertThat(base.streamVersion(StreamId.of("Order", "o-1"))).isEqualTo(1);
    }

    @Test
    void loadsAsOfAVersion() {
        orders.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        orders.handle("o-1", line("o-1", "apple"));
        orders.handle("o-1", line("o-1", "pear"));

        Aggregate<OrderState> atTwo = orders.load("o-1", 2).orElseThrow();
        assertThat(atTwo.version()).isEqualTo(2);
        assertThat(atTwo.state().lines()).extracting(OrderState.Line::sku).containsExactly("apple");
        assertThat(orders.load("o-1", 1).orElseThrow().state().lines()).isEmpty();
        assertThat(orders.load("o-1", 99).orElseThrow().version()).isEqualTo(3);
        assertThatThrownBy(() -> orders.load("o-1", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void loadsAsOfAPointInTime() {
        orders.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        awaitClockPast(lastRecordedAt("o-1"));
        orders.handle("o-1", line("o-1", "apple"));
        awaitClockPast(lastRecordedAt("o-1"));
        orders.handle("o-1", line("o-1", "pear"));
        List<RecordedEvent> events = base.read(StreamId.of("Order", "o-1"));

        Aggregate<OrderState> then = orders.loadAsOf("o-1", events.get(1).recordedAt()).orElseThrow();

        assertThat(then.version()).isEqualTo(2);
        assertThat(then).isEqualTo(orders.load("o-1", 2).orElseThrow());
        assertThat(orders.loadAsOf("o-1", events.get(0).recordedAt().minusNanos(1))).isEmpty();
        assertThat(orders.loadAsOf("o-1", events.get(2).recordedAt()).orElseThrow().version()).isEqualTo(3);
    }

    @Test
    void createFailsIfTheStreamExists() {
        orders.create("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));

        assertThatThrownBy(() -> orders.create("o-1", new PlaceOrder("o-1", "bob", PLACED_AT)))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.stream()).isEqualTo(StreamId.of("Order", "o-1"));
                    assertThat(e.actualVersion()).isEqualTo(1);
                });
        assertThat(orders.load("o-1").orElseThrow().state().customer()).isEqualTo("alice");
    }

    @Test
    void createFailsIfTheStreamExistsEvenWhenNothingIsDecided() {
        orders.create("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        DeciderRepository<OrderCommand, OrderEvent, OrderState> idle = DeciderRepository.builder(store, serializer,
                "Order", OrderEvent.class, Decider.<OrderCommand, OrderEvent, OrderState>of(OrderState::initial,
                        (command, state) -> List.of(), new OrderDecider()::evolve)).build();

        assertThatThrownBy(() -> idle.create("o-1", new ConfirmOrder("o-1")))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.noStream());
                    assertThat(e.actualVersion()).isEqualTo(1);
                });
        CommandResult<OrderState, OrderEvent> nothing = idle.create("o-2", new ConfirmOrder("o-2"));
        assertThat(nothing.events()).isEmpty();
        assertThat(nothing.version()).isZero();
        assertThat(base.exists(StreamId.of("Order", "o-2"))).isFalse();
    }

    @Test
    void loadOrCreateLoadsAnExistingAggregateOrCreatesIt() {
        Aggregate<OrderState> created = orders.loadOrCreate("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        assertThat(created.version()).isEqualTo(1);
        assertThat(created.state().customer()).isEqualTo("alice");

        Aggregate<OrderState> loaded = orders.loadOrCreate("o-1", new PlaceOrder("o-1", "bob", PLACED_AT));
        assertThat(loaded).isEqualTo(created);
        assertThat(base.streamVersion(StreamId.of("Order", "o-1"))).isEqualTo(1);
    }

    @Test
    void loadOrCreateLoadsWhatAConcurrentCreatorStored() {
        AtomicInteger appends = new AtomicInteger();
        store.beforeAppend(stream -> {
            if (appends.getAndIncrement() == 0) {
                base.append(stream, ExpectedVersion.noStream(), List.of(serializer.serialize(
                        new OrderEvent.OrderPlaced("o-1", "mallory", PLACED_AT))));
            }
        });

        Aggregate<OrderState> result = orders.loadOrCreate("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));

        assertThat(result.state().customer()).isEqualTo("mallory");
        assertThat(base.streamVersion(StreamId.of("Order", "o-1"))).isEqualTo(1);
    }

    @Test
    void retriesFollowTheRetryPolicyAndAnInterruptedBackoffGivesUpAtOnce() {
        orders.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        AtomicInteger decisions = new AtomicInteger();
        DeciderRepository<OrderCommand, OrderEvent, OrderState> counting = DeciderRepository.builder(store, serializer,
                "Order", OrderEvent.class, Decider.<OrderCommand, OrderEvent, OrderState>of(OrderState::initial,
                        (command, state) -> {
                            decisions.incrementAndGet();
                            return new OrderDecider().decide(command, state);
                        }, new OrderDecider()::evolve))
                .retry(new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofMinutes(1))).build();
        store.beforeAppend(stream -> concurrentLine(stream, "sneaky"));

        assertThatThrownBy(() -> counting.handle("o-1", line("o-1", "apple")))
                .isInstanceOf(WrongExpectedVersionException.class);
        assertThat(decisions).hasValue(4);

        decisions.set(0);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> counting.handle("o-1", line("o-1", "pear")))
                    .isInstanceOf(WrongExpectedVersionException.class)
                    .satisfies(e -> assertThat(e.getSuppressed()).hasAtLeastOneElementOfType(InterruptedException.class));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(decisions).hasValue(1);
    }

    @Test
    void aRepositoryUsingAStoreViewNeitherRetriesNorSnapshotsByPolicy() {
        InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
        DeciderRepository<OrderCommand, OrderEvent, OrderState> bound = DeciderRepository.builder(base, serializer,
                        "Order", OrderEvent.class, new OrderDecider())
                .snapshots(snapshots, SnapshotPolicy.everyEvents(1), 1, OrderState.class).build().using(store);

        bound.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        assertThat(store.appends()).as("appends go through the view").isEqualTo(1);
        assertThat(snapshots.load(StreamId.of("Order", "o-1"))).isEmpty();

        store.beforeAppend(stream -> concurrentLine(stream, "sneaky"));
        assertThatThrownBy(() -> bound.handle("o-1", line("o-1", "apple")))
                .isInstanceOf(WrongExpectedVersionException.class);
        assertThat(store.appends()).as("one attempt, no retry").isEqualTo(2);
    }

    @Test
    void metadataIsStoredWithEveryEvent() {
        Metadata metadata = Metadata.empty().withCorrelationId("req-1").withCausationId("cmd-1");

        orders.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT), metadata);

        assertThat(base.read(StreamId.of("Order", "o-1"))).extracting(RecordedEvent::metadata).containsExactly(metadata);
    }

    @Test
    void eventsDecidedElsewhereAreSavedAgainstTheLoadedVersion() {
        orders.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        Aggregate<OrderState> first = orders.load("o-1").orElseThrow();
        Aggregate<OrderState> second = orders.load("o-1").orElseThrow();

        CommandResult<OrderState, OrderEvent> saved = orders.save(first,
                List.of(new OrderLineAdded("o-1", "apple", 1, BigDecimal.ONE)));

        assertThat(saved.version()).isEqualTo(2);
        assertThat(saved.state().lines()).hasSize(1);
        assertThatThrownBy(() -> orders.save(second, List.of(new OrderLineAdded("o-1", "pear", 1, BigDecimal.ONE))))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.exactly(1));
                    assertThat(e.actualVersion()).isEqualTo(2);
                });
        assertThat(orders.save(second, List.of()).version()).isEqualTo(1);
        Aggregate<OrderState> foreign = new Aggregate<>(StreamId.of("Invoice", "o-1"), 2, saved.state());
        assertThatThrownBy(() -> orders.save(foreign, List.of(new OrderConfirmed("o-1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("category 'Order'");
    }

    @Test
    void aConflictIsRetriedFromAFreshLoad() {
        orders.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        AtomicInteger injected = new AtomicInteger();
        store.beforeAppend(stream -> {
            if (injected.getAndIncrement() == 0) {
                concurrentLine(stream, "from-elsewhere");
            }
        });

        CommandResult<OrderState, OrderEvent> result = orders.handle("o-1", line("o-1", "apple"));

        assertThat(result.version()).isEqualTo(3);
        assertThat(result.state().lines()).extracting(OrderState.Line::sku).containsExactly("from-elsewhere", "apple");
        assertThat(store.appends()).isEqualTo(3);
    }

    @Test
    void retriesAreBoundedThenTheConflictIsRethrown() {
        DeciderRepository<OrderCommand, OrderEvent, OrderState> twoRetries = repository(2);
        twoRetries.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        store.resetCounts();
        store.beforeAppend(stream -> concurrentLine(stream, "always-first"));

        assertThatThrownBy(() -> twoRetries.handle("o-1", line("o-1", "apple")))
                .isInstanceOf(WrongExpectedVersionException.class);
        assertThat(store.appends()).isEqualTo(3);
        assertThat(orders.load("o-1").orElseThrow().state().lines()).extracting(OrderState.Line::sku)
                .containsOnly("always-first");
    }

    @Test
    void concurrentCommandsOnOneAggregateInOneProcessNeverConflict() throws Exception {
        DeciderRepository<OrderCommand, OrderEvent, OrderState> noRetries = repository(0);
        noRetries.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        store.resetCounts();
        int threads = 32;
        int perThread = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        noRetries.handle("o-1", line("o-1", thread + "-" + i));
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

        assertThat(store.appends()).as("one append per command: no conflict").isEqualTo(threads * perThread);
        Aggregate<OrderState> loaded = noRetries.load("o-1").orElseThrow();
        assertThat(loaded.version()).isEqualTo(1 + threads * perThread);
        assertThat(loaded.state().lines()).hasSize(threads * perThread)
                .extracting(OrderState.Line::sku).doesNotHaveDuplicates();
    }

    @Test
    void aCommandWaitsForTheOneInFlightOnItsAggregateAndGoesOnWhenThatOneThrows() throws Exception {
        CountDownLatch deciding = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        AtomicInteger decisions = new AtomicInteger();
        DeciderRepository<OrderCommand, OrderEvent, OrderState> blocking = DeciderRepository.builder(store, serializer,
                "Order", OrderEvent.class, Decider.<OrderCommand, OrderEvent, OrderState>of(OrderState::initial,
                        (command, state) -> {
                            decisions.incrementAndGet();
                            if (command instanceof AddLine add && add.sku().equals("poison")) {
                                deciding.countDown();
                                await(fail);
                                throw new IllegalStateException("no poison");
                            }
                            return new OrderDecider().decide(command, state);
                        }, new OrderDecider()::evolve)).maxRetries(0).build();
        blocking.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        blocking.handle("o-2", new PlaceOrder("o-2", "bob", PLACED_AT));
        decisions.set(0);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> poisoned = pool.submit(() -> blocking.handle("o-1", line("o-1", "poison")));
            deciding.await();
            Future<CommandResult<OrderState, OrderEvent>> waiting =
                    pool.submit(() -> blocking.handle("o-1", line("o-1", "apple")));
            assertThat(blocking.handle("o-2", line("o-2", "pear")).version())
                    .as("another aggregate does not wait").isEqualTo(2);
            assertThat(decisions).as("the waiting command has not decided yet").hasValue(2);
            assertThat(waiting).isNotDone();

            fail.countDown();

            assertThatThrownBy(() -> poisoned.get(1, TimeUnit.MINUTES)).hasRootCauseMessage("no poison");
            assertThat(waiting.get(1, TimeUnit.MINUTES).version()).isEqualTo(2);
        } finally {
            fail.countDown();
            pool.shutdownNow();
        }
        assertThat(blocking.handle("o-1", line("o-1", "plum")).version()).isEqualTo(3);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void concurrentLine(StreamId stream, String sku) {
        base.append(stream, ExpectedVersion.any(), List.of(serializer.serialize(
                new OrderLineAdded(stream.id(), sku, 1, BigDecimal.ONE))));
    }

    private Instant lastRecordedAt(String id) {
        List<RecordedEvent> events = base.read(StreamId.of("Order", id));
        return events.get(events.size() - 1).recordedAt();
    }

    /** Waits (without sleeping a fixed time) until the clock has moved past {@code instant}. */
    private static void awaitClockPast(Instant instant) {
        while (!Instant.now().isAfter(instant)) {
            Thread.onSpinWait();
        }
    }
}
