package dev.relato.examples.orders;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One row of the order list read model. Immutable and thread-safe.
 *
 * @param orderId   the order
 * @param customer  who placed it
 * @param status    its status
 * @param lineCount how many lines it has
 * @param total     the sum of its lines' amounts
 * @param placedAt  when it was placed
 * @param updatedAt when its last event was recorded
 * @param version   the order's stream version the row reflects
 */
public record OrderSummary(String orderId, String customer, OrderStatus status, int lineCount, BigDecimal total,
                           Instant placedAt, Instant updatedAt, long version) {
    public OrderSummary {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(placedAt, "placedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
