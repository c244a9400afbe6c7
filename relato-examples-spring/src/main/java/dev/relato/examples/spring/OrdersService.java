package dev.relato.examples.spring;

import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.CommandResult;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.examples.orders.OrderCommand;
import dev.relato.examples.orders.OrderEvent;
import dev.relato.examples.orders.OrderState;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The orders' commands and queries. Each command runs in a Spring-managed transaction: its events, the inline
 * projections and any SQL the application adds commit together.
 */
@Service
public class OrdersService {
    private final DeciderRepository<OrderCommand, OrderEvent, OrderState> orders;
    private final EventStore store;

    public OrdersService(DeciderRepository<OrderCommand, OrderEvent, OrderState> orders, EventStore store) {
        this.orders = orders;
        this.store = store;
    }

    /** Places a new order. */
    @Transactional
    public CommandResult<OrderState, OrderEvent> place(OrderCommand.PlaceOrder command) {
        return orders.create(command.orderId(), command);
    }

    /** Any other command on an existing order (the decider rejects it on an order that does not exist). */
    @Transactional
    public CommandResult<OrderState, OrderEvent> handle(OrderCommand command) {
        return orders.handle(command.orderId(), command);
    }

    /** The order's current state, or empty if it does not exist. */
    @Transactional(readOnly = true)
    public Optional<Aggregate<OrderState>> order(String orderId) {
        return orders.load(orderId);
    }

    /** The order's events, oldest first; empty if it does not exist. */
    @Transactional(readOnly = true)
    public List<RecordedEvent> history(String orderId) {
        return store.read(StreamId.of(OrdersSpringApp.CATEGORY, orderId));
    }
}
