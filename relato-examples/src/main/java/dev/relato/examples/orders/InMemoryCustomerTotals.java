package dev.relato.examples.orders;

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
 * replaced as a whole.
 */
final class InMemoryCustomerTotals {
    /** The projection that keeps this read model. */
    static final Projection<InMemoryCustomerTotals> PROJECTION = Projection.<InMemoryCustomerTotals>named(
                    "customer-totals")
            .categories(OrdersService.CATEGORY)
            .on(OrderPlaced.class, (totals, e, record) -> totals.placed(e))
            .on(OrderConfirmed.class, (totals, e, record) -> totals.update(e.orderId(), t -> t.afterConfirmed(e.total())))
            .on(OrderShipped.class, (totals, e, record) -> totals.update(e.orderId(), CustomerTotals::afterShipped))
            .on(OrderCancelled.class, (totals, e, record) -> totals.update(e.orderId(), CustomerTotals::afterCancelled))
            .build();

    private final Map<String, CustomerTotals> byCustomer = new ConcurrentHashMap<>();
    /** The customer of each order; touched only by the updating thread. */
    private final Map<String, String> owners = new HashMap<>();

    Optional<CustomerTotals> find(String customer) {
        return Optional.ofNullable(byCustomer.get(customer));
    }

    private void placed(OrderPlaced event) {
        if (owners.putIfAbsent(event.orderId(), event.customer()) == null) {
            byCustomer.merge(event.customer(), CustomerTotals.none(event.customer()).afterPlaced(),
                    (current, first) -> current.afterPlaced());
        }
    }

    private void update(String orderId, UnaryOperator<CustomerTotals> change) {
        String customer = owners.get(orderId);
        if (customer != null) {
            byCustomer.computeIfPresent(customer, (c, totals) -> change.apply(totals));
        }
    }
}
