package dev.relato.examples.orders;

import java.util.Objects;
import java.util.Optional;

/**
 * Which orders to list: all of them, or those of one customer, in one status, or both. Immutable and
 * thread-safe.
 */
public record OrderQuery(Optional<String> customer, Optional<OrderStatus> status) {
    public OrderQuery {
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(status, "status");
    }

    /** Every order. */
    public static OrderQuery all() {
        return new OrderQuery(Optional.empty(), Optional.empty());
    }

    /** Whether a row matches. */
    public boolean matches(OrderSummary row) {
        return customer.map(row.customer()::equals).orElse(true) && status.map(s -> s == row.status()).orElse(true);
    }
}
