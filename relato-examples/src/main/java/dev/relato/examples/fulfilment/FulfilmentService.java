package dev.relato.examples.fulfilment;

import dev.relato.EventStore;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.command.CommandBus;
import dev.relato.examples.orders.OrderCommand;
import dev.relato.examples.orders.OrderDecider;
import dev.relato.examples.orders.OrderEvent;
import dev.relato.examples.orders.OrderState;
import dev.relato.process.DeadlineStore;
import dev.relato.process.ProcessEngine;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.time.Clock;
import java.time.Duration;

/** The wiring of the fulfilment workflow on a store: one line per command type, one engine. */
public final class FulfilmentService {
    public static final EventSerializer SERIALIZER = EventSerializer.of(EventTypes.builder()
            .registerSealed(OrderEvent.class).registerSealed(Inventory.Event.class)
            .register(Payments.PaymentReceived.class).build());

    public final CommandBus bus;
    public final ProcessEngine<Fulfilment> engine;
    private final DeciderRepository<Inventory.Command, Inventory.Event, Integer> stock;

    public FulfilmentService(EventStore store, DeadlineStore deadlines, Duration paymentTimeout, Clock clock) {
        DeciderRepository<OrderCommand, OrderEvent, OrderState> orders = DeciderRepository
                .builder(store, SERIALIZER, "Order", OrderEvent.class, new OrderDecider()).build();
        stock = DeciderRepository
                .builder(store, SERIALIZER, "Inventory", Inventory.Event.class, Inventory.DECIDER).build();
        DeciderRepository<Payments.Pay, Payments.PaymentReceived, Boolean> payments = DeciderRepository
                .builder(store, SERIALIZER, "Payment", Payments.PaymentReceived.class, Payments.DECIDER).build();
        bus = CommandBus.builder(store)
                .decider(OrderCommand.class, orders, OrderCommand::orderId)
                .decider(Inventory.Command.class, stock, Inventory.Command::sku)
                .decider(Payments.Pay.class, payments, Payments.Pay::orderId)
                .build();
        engine = ProcessEngine.builder(Fulfilment.manager(paymentTimeout), store, SERIALIZER, bus, deadlines)
                .clock(clock).build();
    }

    /** The quantity of {@code sku} available to reserve: 0 if it was never stocked. */
    public int available(String sku) {
        return stock.load(sku).map(Aggregate::state).orElse(0);
    }
}
