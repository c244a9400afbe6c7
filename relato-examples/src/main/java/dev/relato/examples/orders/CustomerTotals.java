package dev.relato.examples.orders;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What one customer has ordered, counted as events happen: orders placed, confirmed, shipped and
 * cancelled (an order confirmed and later cancelled counts in both), and the value of the confirmed
 * orders at confirmation. Immutable and thread-safe.
 */
public record CustomerTotals(String customer, long orders, long confirmed, long shipped, long cancelled,
                             BigDecimal confirmedValue) {
    public CustomerTotals {
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(confirmedValue, "confirmedValue");
    }

    /** A customer with no orders. */
    public static CustomerTotals none(String customer) {
        return new CustomerTotals(customer, 0, 0, 0, 0, BigDecimal.ZERO);
    }

    CustomerTotals afterPlaced() {
        return new CustomerTotals(customer, orders + 1, confirmed, shipped, cancelled, confirmedValue);
    }

    CustomerTotals afterConfirmed(BigDecimal total) {
        return new CustomerTotals(customer, orders, confirmed + 1, shipped, cancelled, confirmedValue.add(total));
    }

    CustomerTotals afterShipped() {
        return new CustomerTotals(customer, orders, confirmed, shipped + 1, cancelled, confirmedValue);
    }

    CustomerTotals afterCancelled() {
        return new CustomerTotals(customer, orders, confirmed, shipped, cancelled + 1, confirmedValue);
    }
}
