package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamRead;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.CommandResult;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.examples.orders.OrderCommand.AddLine;
import dev.relato.examples.orders.OrderCommand.CancelOrder;
import dev.relato.examples.orders.OrderCommand.ConfirmOrder;
import dev.relato.examples.orders.OrderCommand.PlaceOrder;
import dev.relato.examples.orders.OrderCommand.RemoveLine;
import dev.relato.examples.orders.OrderCommand.ShipOrder;
import dev.relato.projection.ProjectionStatus;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Orders application: runs commands through {@link OrderDecider} on the backend's event store and
 * answers queries from the aggregate's stream and from the order list read model.
 *
 * <p>Every command takes the metadata its events are stored with (the HTTP layer puts the request's
 * correlation id there).
 *
 * <p>Read your writes: a command returns only once the read models reflect its events, or after
 * {@code readModelWait} has passed (then the list catches up shortly after; the command itself is
 * stored either way). Concurrent commands on one order are retried from a fresh load up to
 * {@value #MAX_RETRIES} times, then fail with {@link dev.relato.WrongExpectedVersionException}; a rejected
 * command throws {@link OrderRejectedException}; store failures surface as
 * {@link dev.relato.StoreUnavailableException}.
 *
 * <p>Thread-safe. Does not own the backend: whoever created both closes the backend.
 */
final class OrdersService {
    /** The stream category of orders. */
    static final String CATEGORY = "Order";
    static final int MAX_RETRIES = 20;
    private static final Logger LOG = LoggerFactory.getLogger(OrdersService.class);

    private final OrdersBackend backend;
    private final EventStore store;
    private final DeciderRepository<OrderCommand, OrderEvent, OrderState> orders;
    private final Duration readModelWait;

    OrdersService(OrdersBackend backend, EventSerializer serializer, Duration readModelWait) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.store = backend.store();
        this.readModelWait = Objects.requireNonNull(readModelWait, "readModelWait");
        this.orders = DeciderRepository.builder(store, serializer, CATEGORY, OrderEvent.class, new OrderDecider())
                .maxRetries(MAX_RETRIES)
                .build();
    }

    /** The serializer of the order events. */
    static EventSerializer serializer() {
        return EventSerializer.of(EventTypes.builder().registerSealed(OrderEvent.class).build());
    }

    /** Places a new order; its id is chosen here. */
    CommandResult<OrderState, OrderEvent> place(String customer, Metadata metadata) {
        String id = UUID.randomUUID().toString();
        return awaitReadModel(orders.create(id, new PlaceOrder(id, customer), metadata));
    }

    /** Adds a line under an id the caller chose (fresh, so that a retried decision adds the same line). */
    CommandResult<OrderState, OrderEvent> addLine(String orderId, String lineId, String sku, int quantity,
                                                  BigDecimal unitPrice, Metadata metadata) {
        return handle(new AddLine(orderId, lineId, sku, quantity, unitPrice), metadata);
    }

    CommandResult<OrderState, OrderEvent> removeLine(String orderId, String lineId, Metadata metadata) {
        return handle(new RemoveLine(orderId, lineId), metadata);
    }

    CommandResult<OrderState, OrderEvent> confirm(String orderId, Metadata metadata) {
        return handle(new ConfirmOrder(orderId), metadata);
    }

    CommandResult<OrderState, OrderEvent> ship(String orderId, Metadata metadata) {
        return handle(new ShipOrder(orderId), metadata);
    }

    CommandResult<OrderState, OrderEvent> cancel(String orderId, String reason, Metadata metadata) {
        return handle(new CancelOrder(orderId, reason), metadata);
    }

    /** The order's current state, or empty if it does not exist. */
    Optional<Aggregate<OrderState>> order(String orderId) {
        return orders.load(orderId);
    }

    /** The order as it was after at most {@code version} events, or empty if it does not exist. */
    Optional<Aggregate<OrderState>> order(String orderId, long version) {
        return orders.load(orderId, version);
    }

    /** The order as it stood at {@code instant}, or empty if it had no events then. */
    Optional<Aggregate<OrderState>> orderAt(String orderId, Instant instant) {
        return orders.loadAsOf(orderId, instant);
    }

    /** The order's events, oldest first; empty if it does not exist. */
    List<RecordedEvent> history(String orderId) {
        return store.read(orders.stream(orderId));
    }

    List<OrderSummary> list(OrderQuery query) {
        return backend.findOrders(query);
    }

    Optional<CustomerTotals> customer(String customer) {
        return backend.customerTotals(customer);
    }

    List<ProjectionStatus> projections() {
        return backend.projections();
    }

    private CommandResult<OrderState, OrderEvent> handle(OrderCommand command, Metadata metadata) {
        return awaitReadModel(orders.handle(command.orderId(), command, metadata));
    }

    private CommandResult<OrderState, OrderEvent> awaitReadModel(CommandResult<OrderState, OrderEvent> result) {
        if (result.events().isEmpty()) {
            return result;
        }
        List<RecordedEvent> appended = store.read(result.stream(),
                StreamRead.forwards().from(result.version() - result.events().size() + 1).to(result.version()));
        try {
            if (!backend.awaitReadModels(appended, readModelWait)) {
                LOG.warn("the read models have not caught up with version {} of '{}' within {}; answering anyway",
                        result.version(), result.stream(), readModelWait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result;
    }
}
