package dev.relato.examples.spring;

import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.examples.orders.IdempotentOrderCommands;
import dev.relato.examples.orders.OrderCommand;
import dev.relato.examples.orders.OrderEvent;
import dev.relato.examples.orders.OrderState;
import dev.relato.serialization.EventSerializer;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The orders' commands and queries. Each command runs in a Spring-managed transaction: its events, the inline
 * projections and any SQL the application adds commit together. Commands may carry an idempotency key: the
 * plain example's {@link IdempotentOrderCommands} runs them, so a retry with the same key answers the first
 * outcome again and the same key with another command is refused.
 */
@Service
public class OrdersService {
    private final DeciderRepository<OrderCommand, OrderEvent, OrderState> orders;
    private final EventStore store;
    private final IdempotentOrderCommands commands;

    public OrdersService(DeciderRepository<OrderCommand, OrderEvent, OrderState> orders, EventStore store,
            EventSerializer serializer) {
        this.orders = orders;
        this.store = store;
        this.commands = new IdempotentOrderCommands(store, serializer, OrdersSpringApp.CATEGORY);
    }

    /**
     * Runs a command (placing an order, or any command on an existing one, which the decider rejects on an order
     * that does not exist).
     *
     * @param requestId      stored as the events' correlation id
     * @param idempotencyKey the client's key for this operation, if it sent one
     */
    @Transactional
    public IdempotentOrderCommands.Outcome execute(OrderCommand command, String requestId,
            Optional<String> idempotencyKey) {
        return commands.execute(command, requestId, idempotencyKey);
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
