package dev.relato.examples.spring;

import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.examples.orders.CustomerTotals;
import dev.relato.examples.orders.IdempotentOrderCommands;
import dev.relato.examples.orders.OrderCommand;
import dev.relato.examples.orders.OrderEvent;
import dev.relato.examples.orders.OrderQuery;
import dev.relato.examples.orders.OrderState;
import dev.relato.examples.orders.OrderSummary;
import dev.relato.examples.orders.ReadModelWait;
import dev.relato.observe.Health;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.serialization.EventSerializer;
import dev.relato.spring.RelatoProjections;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The orders' commands and queries. Each command runs in a Spring-managed transaction: its events, the inline
 * projections and any SQL the application adds commit together. Commands may carry an idempotency key: the
 * plain example's {@link IdempotentOrderCommands} runs them, so a retry with the same key answers the first
 * outcome again and the same key with another command is refused. Thread-safe.
 */
@Service
public class OrdersService {
    /** How long the answer to a command waits for the order list to show it (read your writes). */
    static final Duration READ_MODEL_WAIT = Duration.ofSeconds(5);

    private final DeciderRepository<OrderCommand, OrderEvent, OrderState> orders;
    private final EventStore store;
    private final EventSerializer serializer;
    private final IdempotentOrderCommands commands;
    private final ReadModels readModels;
    private final RelatoProjections projections;
    private final PersonalDataStore personalData;

    public OrdersService(DeciderRepository<OrderCommand, OrderEvent, OrderState> orders, EventStore store,
            EventSerializer serializer, ReadModels readModels, RelatoProjections projections,
            PersonalDataStore personalData) {
        this.personalData = personalData;
        this.orders = orders;
        this.store = store;
        this.serializer = serializer;
        this.readModels = readModels;
        this.projections = projections;
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

    /**
     * Waits, after the command's transaction committed, until the order list has its events (at most
     * {@link #READ_MODEL_WAIT}). The events are stored, so a failure here is logged, never thrown.
     */
    public void awaitReadModels(IdempotentOrderCommands.Outcome outcome, String requestId) {
        outcome.appended().ifPresent(appended -> ReadModelWait.afterCommand(store, appended, requestId,
                READ_MODEL_WAIT, records -> ReadModelWait.await(projections.names().stream()
                        .flatMap(name -> projections.runner(name).stream()).toList(), records, serializer,
                        READ_MODEL_WAIT)));
    }

    /** The order's current state, or empty if it does not exist. */
    @Transactional(readOnly = true)
    public Optional<Aggregate<OrderState>> order(String orderId) {
        return orders.load(orderId);
    }

    /** The order as it was after event {@code version}; empty if it does not exist or has fewer events. */
    @Transactional(readOnly = true)
    public Optional<Aggregate<OrderState>> order(String orderId, long version) {
        return orders.load(orderId, version).filter(order -> order.version() == version);
    }

    /** The order as it stood at {@code instant}, or empty if it had no events then. */
    @Transactional(readOnly = true)
    public Optional<Aggregate<OrderState>> orderAt(String orderId, Instant instant) {
        return orders.loadAsOf(orderId, instant);
    }

    /** The order's events, oldest first; empty if it does not exist. */
    @Transactional(readOnly = true)
    public List<RecordedEvent> history(String orderId) {
        return store.read(StreamId.of(OrdersSpringApp.CATEGORY, orderId));
    }

    /**
     * Forgets the customer's personal data: the customer's name reads as
     * {@link PersonalDataStore#ERASED} in every order from now on. The read models keep no name. Forgetting again, or
     * a customer without personal data, changes nothing.
     */
    public void forgetCustomer(String customer) {
        personalData.forget(customer);
    }

    /** The order list rows matching the query, newest placed first. */
    public List<OrderSummary> list(OrderQuery query) {
        return readModels.orders(query);
    }

    /** The customer's totals, if the customer has placed an order. */
    public Optional<CustomerTotals> customer(String customer) {
        return readModels.customer(customer);
    }

    /** The store's health: a round trip to it; down, with the failure, if it fails. */
    public Health storeHealth() {
        return Health.of(store);
    }
}
