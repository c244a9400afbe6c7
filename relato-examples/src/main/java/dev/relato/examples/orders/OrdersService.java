package dev.relato.examples.orders;

import dev.relato.AppendResult;
import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.WrongExpectedVersionException;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.CommandResult;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.examples.orders.OrderCommand.AddLine;
import dev.relato.examples.orders.OrderCommand.CancelOrder;
import dev.relato.examples.orders.OrderCommand.ConfirmOrder;
import dev.relato.examples.orders.OrderCommand.PlaceOrder;
import dev.relato.examples.orders.OrderCommand.RemoveLine;
import dev.relato.examples.orders.OrderCommand.ShipOrder;
import dev.relato.observe.Health;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The Orders application: runs commands through {@link OrderDecider} on the backend's event store and
 * answers queries from the aggregate's stream and from the read models.
 *
 * <p><b>Commands</b> load the order's stream, decide, and append expecting the version they loaded; when
 * another writer got there first they load and decide again, up to
 * {@value IdempotentOrderCommands#MAX_RETRIES} times, then fail with
 * {@link WrongExpectedVersionException}. A rejected command throws {@link OrderRejectedException}; store
 * failures surface as {@link dev.relato.StoreUnavailableException}. Each command carries its {@link Origin}:
 * the request id (stored as the events' correlation id) and, optionally, an idempotency key (see
 * {@link IdempotencyKeys}, run by {@link IdempotentOrderCommands}): a command whose key is already in the stream is not decided again but answered with
 * its first outcome ({@link Outcome#replayed()}); the same key with another command throws
 * {@link IdempotencyKeyReusedException}.
 *
 * <p><b>Read your writes</b>: a command returns only once the read models reflect its events, or after
 * {@code readModelWait} has passed (then the list catches up shortly after). Once the events are appended the
 * command has happened, so nothing that fails after the append (waiting for the read models included) fails
 * the command: it is logged and the command's result returned.
 *
 * <p>Thread-safe. Does not own the backend: whoever created both closes the backend.
 */
final class OrdersService {
    /** The stream category of orders. */
    static final String CATEGORY = "Order";

    private final OrdersBackend backend;
    private final EventStore store;
    private final EventSerializer serializer;
    private final OrderDecider decider = new OrderDecider();
    private final IdempotentOrderCommands commands;
    private final DeciderRepository<OrderCommand, OrderEvent, OrderState> orders;
    private final Duration readModelWait;

    /**
     * @param store the backend's store, or a view of it (tests wrap it to inject faults)
     */
    OrdersService(OrdersBackend backend, EventStore store, EventSerializer serializer, Duration readModelWait) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.store = Objects.requireNonNull(store, "store");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.readModelWait = Objects.requireNonNull(readModelWait, "readModelWait");
        this.commands = new IdempotentOrderCommands(store, serializer, CATEGORY);
        this.orders = DeciderRepository.builder(store, serializer, CATEGORY, OrderEvent.class, decider).build();
    }

    /** The serializer of the order events. */
    static EventSerializer serializer() {
        return EventSerializer.of(EventTypes.builder().registerSealed(OrderEvent.class).build());
    }

    /**
     * Places a new order; its id is new, or derived from the idempotency key.
     *
     * @param customerName the customer's name, personal data; null if not given
     */
    Outcome place(String customer, String customerName, Origin origin) {
        String id = origin.idempotencyKey().map(IdempotencyKeys::orderId).orElseGet(() -> UUID.randomUUID().toString());
        return execute(new PlaceOrder(id, customer, customerName), origin);
    }

    /**
     * Forgets the customer's personal data: destroys the customer's keys, so that the name in every order of the
     * customer reads as {@link dev.relato.privacy.PersonalDataStore#ERASED} from now on. The read models keep no
     * name, so nothing else is dropped. Forgetting a customer again, or one without personal data, changes nothing.
     */
    void forgetCustomer(String customer) {
        backend.store().forget(customer);
    }

    /** Adds a line; its id is new, or derived from the idempotency key. */
    Outcome addLine(String orderId, String sku, int quantity, BigDecimal unitPrice, Origin origin) {
        String lineId = origin.idempotencyKey().map(IdempotencyKeys::lineId)
                .orElseGet(() -> UUID.randomUUID().toString());
        return execute(new AddLine(orderId, lineId, sku, quantity, unitPrice), origin);
    }

    Outcome removeLine(String orderId, String lineId, Origin origin) {
        return execute(new RemoveLine(orderId, lineId), origin);
    }

    Outcome confirm(String orderId, Origin origin) {
        return execute(new ConfirmOrder(orderId), origin);
    }

    Outcome ship(String orderId, Origin origin) {
        return execute(new ShipOrder(orderId), origin);
    }

    Outcome cancel(String orderId, String reason, Origin origin) {
        return execute(new CancelOrder(orderId, reason), origin);
    }

    /** The order's current state, or empty if it does not exist. */
    Optional<Aggregate<OrderState>> order(String orderId) {
        return orders.load(orderId);
    }

    /**
     * The order as it was after event {@code version}; empty if it does not exist or has fewer events.
     */
    Optional<Aggregate<OrderState>> order(String orderId, long version) {
        return orders.load(orderId, version).filter(order -> order.version() == version);
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

    /** The asynchronous projections, for operators. */
    List<ManagedProjection<?>> projections() {
        return backend.projections();
    }

    /** The store's health: a round trip to it (its head position); down, with the failure, if it fails. */
    Health storeHealth() {
        return Health.of(store);
    }

    private Outcome execute(OrderCommand command, Origin origin) {
        IdempotentOrderCommands.Outcome outcome = commands.execute(command, origin.requestId(),
                origin.idempotencyKey());
        outcome.appended().ifPresent(appended -> awaitReadModels(appended, origin));
        return new Outcome(outcome.result(), outcome.replayed());
    }

    /** Waits for the read models; the events are stored, so a failure here is logged, never thrown. */
    private void awaitReadModels(AppendResult appended, Origin origin) {
        ReadModelWait.afterCommand(store, appended, origin.requestId(), readModelWait,
                records -> backend.awaitReadModels(records, readModelWait));
    }

    /**
     * Where a command comes from. Immutable and thread-safe.
     *
     * @param requestId      stored as the events' correlation id
     * @param idempotencyKey the client's key for this operation, if it sent one
     */
    record Origin(String requestId, Optional<String> idempotencyKey) {
        Origin {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        }
    }

    /**
     * What a command did. Immutable and thread-safe.
     *
     * @param result   the events and the state after them
     * @param replayed true if the command had been handled before under the same idempotency key, and this is
     *                 its first outcome again (nothing was appended now)
     */
    record Outcome(CommandResult<OrderState, OrderEvent> result, boolean replayed) {
        Outcome {
            Objects.requireNonNull(result, "result");
        }
    }
}
