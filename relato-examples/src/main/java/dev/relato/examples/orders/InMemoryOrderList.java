package dev.relato.examples.orders;

import dev.relato.RecordedEvent;
import dev.relato.examples.orders.OrderEvent.OrderCancelled;
import dev.relato.examples.orders.OrderEvent.OrderConfirmed;
import dev.relato.examples.orders.OrderEvent.OrderLineAdded;
import dev.relato.examples.orders.OrderEvent.OrderLineRemoved;
import dev.relato.examples.orders.OrderEvent.OrderPlaced;
import dev.relato.examples.orders.OrderEvent.OrderShipped;
import dev.relato.projection.Projection;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The order list kept in memory, rebuilt from the log at every start. Updated by {@link #PROJECTION} from
 * one thread at a time (the runner's), read from any thread: each row is an immutable value replaced as a
 * whole. Handlers are idempotent: an event at or below a row's version is ignored.
 */
final class InMemoryOrderList {
    /** The projection that keeps this read model. */
    static final Projection<InMemoryOrderList> PROJECTION = Projection.<InMemoryOrderList>named("order-list")
            .categories(OrdersService.CATEGORY)
            .on(OrderPlaced.class, InMemoryOrderList::placed)
            .on(OrderLineAdded.class, InMemoryOrderList::lineAdded)
            .on(OrderLineRemoved.class, InMemoryOrderList::lineRemoved)
            .on(OrderConfirmed.class, (list, e, record) -> list.status(OrderStatus.CONFIRMED, record))
            .on(OrderShipped.class, (list, e, record) -> list.status(OrderStatus.SHIPPED, record))
            .on(OrderCancelled.class, (list, e, record) -> list.status(OrderStatus.CANCELLED, record))
            .build();

    private final Map<String, OrderSummary> rows = new ConcurrentHashMap<>();
    /** Line amounts per order, to subtract on removal; touched only by the updating thread. */
    private final Map<String, Map<String, BigDecimal>> lineAmounts = new HashMap<>();

    List<OrderSummary> find(OrderQuery query) {
        return rows.values().stream().filter(query::matches)
                .sorted(OrderCursor.LIST_ORDER)
                .limit(query.limit())
                .toList();
    }

    private void placed(OrderPlaced event, RecordedEvent record) {
        String id = record.streamId().id();
        if (rows.containsKey(id)) {
            return;
        }
        lineAmounts.put(id, new HashMap<>());
        rows.put(id, new OrderSummary(id, event.customer(), OrderStatus.OPEN, 0, BigDecimal.ZERO, record.recordedAt(),
                record.recordedAt(), record.streamVersion()));
    }

    private void lineAdded(OrderLineAdded event, RecordedEvent record) {
        OrderSummary row = current(record);
        if (row == null) {
            return;
        }
        Map<String, BigDecimal> amounts = lineAmounts.get(row.orderId());
        amounts.put(event.lineId(), event.amount());
        rows.put(row.orderId(), new OrderSummary(row.orderId(), row.customer(), row.status(), amounts.size(),
                row.total().add(event.amount()), row.placedAt(), record.recordedAt(), record.streamVersion()));
    }

    private void lineRemoved(OrderLineRemoved event, RecordedEvent record) {
        OrderSummary row = current(record);
        if (row == null) {
            return;
        }
        Map<String, BigDecimal> amounts = lineAmounts.get(row.orderId());
        BigDecimal amount = amounts.remove(event.lineId());
        BigDecimal total = amount == null ? row.total() : row.total().subtract(amount);
        rows.put(row.orderId(), new OrderSummary(row.orderId(), row.customer(), row.status(), amounts.size(), total,
                row.placedAt(), record.recordedAt(), record.streamVersion()));
    }

    private void status(OrderStatus status, RecordedEvent record) {
        OrderSummary row = current(record);
        if (row == null) {
            return;
        }
        rows.put(row.orderId(), new OrderSummary(row.orderId(), row.customer(), status, row.lineCount(), row.total(),
                row.placedAt(), record.recordedAt(), record.streamVersion()));
    }

    /** The row the record applies to, or null if it is unknown or already reflects the record. */
    private OrderSummary current(RecordedEvent record) {
        OrderSummary row = rows.get(record.streamId().id());
        return row == null || row.version() >= record.streamVersion() ? null : row;
    }
}
