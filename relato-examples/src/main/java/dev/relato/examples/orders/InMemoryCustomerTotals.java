package dev.relato.examples.orders;

import dev.relato.RecordedEvent;
import dev.relato.examples.orders.OrderEvent.OrderCancelled;
import dev.relato.examples.orders.OrderEvent.OrderConfirmed;
import dev.relato.examples.orders.OrderEvent.OrderPlaced;
import dev.relato.examples.orders.OrderEvent.OrderShipped;
import dev.relato.projection.Projection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Customer totals kept in memory, rebuilt from the log at every start, for stores without SQL. Updated by
 * {@link #PROJECTION} from one thread at a time, read from any thread: each entry is an immutable value
 * replaced as a whole. Handlers are idempotent: a record at or below the order's last applied version changes
 * nothing.
 */
final class InMemoryCustomerTotals {
    /** The projection that keeps this read model. */
    static final Projection<InMemoryCustomerTotals> PROJECTION = Projection.<InMemoryCustomerTotals>named(
                    "customer-totals")
            .categories(OrdersService.CATEGORY)
            .on(OrderPlaced.class, (totals, e, record) -> totals.placed(e, record))
            .on(OrderConfirmed.class, (totals, e, record) -> totals.update(record,
                    t -> t.afterConfirmed(e.canonicalTotal())))
            .on(OrderShipped.class, (totals, e, record) -> totals.update(record, CustomerTotals::afterShipped))
            .on(OrderCancelled.class, (totals, e, record) -> totals.update(record, CustomerTotals::afterCancelled))
            .build();

    private final Map<String, CustomerTotals> byCustomer = new ConcurrentHashMap<>();
    /** The customer of each order and the last version applied; touched only by the updating thread. */
    private final Map<String, Owner> owners = new HashMap<>();

    Optional<CustomerTotals> find(String customer) {
        return Optional.ofNullable(byCustomer.get(customer));
    }

    private void placed(OrderPlaced event, RecordedEvent record) {
        if (owners.putIfAbsent(event.orderId(), new Owner(event.customer(), record.streamVersion())) == null) {
            byCustomer.merge(event.customer(), CustomerTotals.none(event.customer()).afterPlaced(),
                    (current, first) -> current.afterPlaced());
        }
    }

    /** Applies a change to the order's customer, unless the record was applied already. */
    private void update(RecordedEvent record, UnaryOperator<CustomerTotals> change) {
        Owner owner = owners.get(record.streamId().id());
        if (owner != null && owner.version() < record.streamVersion()) {
            owners.put(record.streamId().id(), new Owner(owner.customer(), record.streamVersion()));
            byCustomer.computeIfPresent(owner.customer(), (c, totals) -> change.apply(totals));
        }
    }

    private record Owner(String customer, long version) {
    }
}
