package dev.relato.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.aggregate.AggregateNotFoundException;
import dev.relato.aggregate.AggregateRootRepository;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.observe.Observation;
import dev.relato.observe.RelatoObserver;
import dev.relato.order.Order;
import dev.relato.order.OrderCommand.AddLine;
import dev.relato.order.OrderCommand.ConfirmOrder;
import dev.relato.order.OrderCommand.PlaceOrder;
import dev.relato.order.OrderCommand;
import dev.relato.order.OrderDecider;
import dev.relato.order.OrderEvent;
import dev.relato.order.OrderState;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommandBusTest {
    private static final Instant AT = Instant.parse("2024-05-01T10:00:00Z");

    record PlaceRootOrder(String orderId, String customer) {
    }

    record ConfirmRootOrder(String orderId) {
    }

    record Note(String text) {
    }

    private final EventStore store = InMemoryEventStore.create();
    private final EventSerializer serializer =
            EventSerializer.of(EventTypes.builder().registerSealed(OrderEvent.class).build());
    private final DeciderRepository<OrderCommand, OrderEvent, OrderState> orders = DeciderRepository
            .builder(store, serializer, "Order", OrderEvent.class, new OrderDecider()).build();
    private final AggregateRootRepository<Order, OrderEvent> roots = AggregateRootRepository
            .builder(store, serializer, "RootOrder", OrderEvent.class, Order::new).build();

    @AfterEach
    void close() {
        store.close();
    }

    private CommandBus.Builder deciderRoutes() {
        return CommandBus.builder(store)
                .decider(PlaceOrder.class, orders, PlaceOrder::orderId)
                .decider(AddLine.class, orders, AddLine::orderId)
                .decider(ConfirmOrder.class, orders, ConfirmOrder::orderId);
    }

    @Test
    void oneLinePerCommandTypeForDecidersAndRoots() {
        CommandBus bus = deciderRoutes()
                .create(PlaceRootOrder.class, roots, PlaceRootOrder::orderId, (order, c) -> order.place(c.customer(), AT))
                .update(ConfirmRootOrder.class, roots, ConfirmRootOrder::orderId, (order, c) -> order.confirm())
                .build();

        bus.send(new PlaceOrder("o-1", "ada", AT));
        Receipt line = bus.send(new AddLine("o-1", "sku", 1, BigDecimal.ONE));
        bus.send(new PlaceRootOrder("r-1", "bob"));

        assertThat(line.version()).isEqualTo(2);
        assertThat(line.stream()).contains(StreamId.of("Order", "o-1"));
        assertThat(bus.send(new ConfirmOrder("o-1")).version()).isEqualTo(3);
        assertThat(orders.load("o-1").orElseThrow().state().status()).isEqualTo(OrderState.Status.CONFIRMED);
        assertThatThrownBy(() -> bus.send(new ConfirmRootOrder("r-1"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no lines");
        assertThat(roots.load("r-1").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void updatingAMissingRootIsAggregateNotFoundAndAppendsNothing() {
        CommandBus bus = CommandBus.builder(store)
                .update(ConfirmRootOrder.class, roots, ConfirmRootOrder::orderId, (order, c) -> order.confirm())
                .build();

        assertThatThrownBy(() -> bus.send(new ConfirmRootOrder("nobody"))).isInstanceOf(AggregateNotFoundException.class);
        assertThat(store.headPosition()).isZero();
    }

    @Test
    void aRootCreatedByACommandReSentIsARepeat() {
        CommandBus bus = CommandBus.builder(store)
                .create(PlaceRootOrder.class, roots, PlaceRootOrder::orderId, (order, c) -> order.place(c.customer(), AT))
                .build();
        Command<PlaceRootOrder> place = Command.of(new PlaceRootOrder("r-2", "cy"));

        bus.send(place);
        Receipt again = bus.send(place);

        assertThat(again.repeated()).isTrue();
        assertThat(store.read(StreamId.of("RootOrder", "r-2"))).hasSize(1);
        assertThatThrownBy(() -> bus.send(new PlaceRootOrder("r-2", "cy")))
                .as("another command creating the same root").isInstanceOf(WrongExpectedVersionException.class);
    }

    @Test
    void freeFunctionHandlersAppendWithDerivedIdsAndTheCommandsMetadata() {
        CommandBus bus = CommandBus.builder(store).handler(Note.class, (note, context) -> context.store().append(
                StreamId.of("Notes", "n"), ExpectedVersion.any(), List.of(EventData.of("Noted", "{\"text\":\""
                        + note.text() + "\"}"), EventData.of("Noted", "{}")))).build();
        UUID id = UUID.randomUUID();

        Receipt receipt = bus.send(Command.of(id, new Note("hi")).withMetadata(Metadata.empty().withCorrelationId("c-1")));

        List<RecordedEvent> events = store.read(StreamId.of("Notes", "n"));
        assertThat(events).extracting(RecordedEvent::eventId)
                .containsExactly(Command.eventId(id, 0), Command.eventId(id, 1));
        assertThat(events.get(1).metadata().correlationId()).contains("c-1");
        assertThat(events.get(1).metadata().causationId()).contains(id.toString());
        assertThat(receipt.eventCount()).isEqualTo(2);
        assertThat(receipt.position()).isEqualTo(2);
    }

    @Test
    void middlewareRunsInOrderAroundTheDispatchAndCanRejectOrAddMetadata() {
        List<String> calls = new ArrayList<>();
        CommandBus bus = deciderRoutes()
                .middleware((command, next) -> {
                    calls.add("outer " + command.type().getSimpleName());
                    return next.proceed(command.withMetadata(command.metadata().with("tenant", "t-1")));
                })
                .middleware(CommandMiddleware.validating(body -> {
                    if (body instanceof PlaceOrder p && p.customer().isBlank()) {
                        throw new IllegalArgumentException("customer is required");
                    }
                }))
                .middleware(CommandMiddleware.logging())
                .middleware((command, next) -> {
                    calls.add("inner " + command.metadata().get("tenant").orElse("-"));
                    return next.proceed(command);
                })
                .build();

        bus.send(new PlaceOrder("o-2", "ada", AT));
        assertThatThrownBy(() -> bus.send(new PlaceOrder("o-3", " ", AT))).hasMessage("customer is required");

        assertThat(calls).containsExactly("outer PlaceOrder", "inner t-1", "outer PlaceOrder");
        assertThat(store.read(StreamId.of("Order", "o-2")).get(0).metadata().get("tenant")).contains("t-1");
        assertThat(store.exists(StreamId.of("Order", "o-3"))).isFalse();
    }

    @Test
    void aConcurrentWriteIsRetriedFromAFreshLoad() {
        AtomicInteger attempts = new AtomicInteger();
        CommandBus bus = CommandBus.builder(store).handler(Note.class, (note, context) -> {
            long version = context.store().streamVersion(StreamId.of("Notes", "n"));
            if (attempts.incrementAndGet() == 1) {
                store.append(StreamId.of("Notes", "n"), ExpectedVersion.any(), List.of(EventData.of("Noted", "{}")));
            }
            context.store().append(StreamId.of("Notes", "n"), ExpectedVersion.exactly(version),
                    List.of(EventData.of("Noted", "{}")));
        }).build();

        assertThat(bus.send(new Note("x")).version()).isEqualTo(2);
        assertThat(attempts).hasValue(2);
    }

    @Test
    void hostileConfigurationFailsFast() {
        assertThatThrownBy(() -> CommandBus.builder(store).build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> deciderRoutes().decider(PlaceOrder.class, orders, PlaceOrder::orderId))
                .hasMessageContaining("already has a handler");
        assertThatThrownBy(() -> deciderRoutes().build().send((Object) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void everyDispatchIsOneCommandObservationOnTheStoresObserverEndedWithItsOutcome() {
        List<String> observed = new ArrayList<>();
        RelatoObserver recording = new RelatoObserver() {
            @Override
            public Observation command(String category, String command) {
                observed.add("start " + category + " " + command);
                return (outcome, count) -> observed.add("end " + category + " " + command + " " + outcome.tag()
                        + " " + count);
            }
        };
        try (InMemoryEventStore observedStore = InMemoryEventStore.builder().observer(recording).build()) {
            DeciderRepository<OrderCommand, OrderEvent, OrderState> observedOrders = DeciderRepository
                    .builder(observedStore, serializer, "Order", OrderEvent.class, new OrderDecider()).build();
            CommandBus bus = CommandBus.builder(observedStore)
                    .decider(PlaceOrder.class, observedOrders, PlaceOrder::orderId)
                    .decider(ConfirmOrder.class, observedOrders, ConfirmOrder::orderId)
                    .handler(Note.class, (note, context) -> { })
                    .build();
            Command<PlaceOrder> place = Command.of(new PlaceOrder("o-9", "ada", AT));

            bus.send(place);
            bus.send(place);
            assertThatThrownBy(() -> bus.send(new ConfirmOrder("o-9"))).isInstanceOf(IllegalStateException.class);
            bus.send(new Note("hi"));
            assertThatThrownBy(() -> bus.send(new AddLine("o-9", "sku", 1, BigDecimal.ONE)))
                    .isInstanceOf(UnknownCommandException.class);
        }

        assertThat(observed).containsExactly(
                "start Order PlaceOrder", "end Order PlaceOrder succeeded 1",
                "start Order PlaceOrder", "end Order PlaceOrder retried 1",
                "start Order ConfirmOrder", "end Order ConfirmOrder failed 0",
                "start none Note", "end none Note succeeded 0");
    }
}
