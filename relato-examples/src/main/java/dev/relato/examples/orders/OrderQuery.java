package dev.relato.examples.orders;

import java.util.Objects;
import java.util.Optional;

/**
 * Which orders to list: all of them, or those of one customer, in one status, or both; at most
 * {@code limit} of them, newest placed first, starting after a cursor (the end of the previous page) if one is
 * given. Immutable and thread-safe.
 *
 * @throws IllegalArgumentException from the constructor if the limit is not 1 to {@value #MAX_LIMIT}
 */
public record OrderQuery(Optional<String> customer, Optional<OrderStatus> status, int limit,
                         Optional<OrderCursor> after) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public OrderQuery {
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(after, "after");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", got " + limit);
        }
    }

    /** The first page of the orders matching the filters. */
    public OrderQuery(Optional<String> customer, Optional<OrderStatus> status, int limit) {
        this(customer, status, limit, Optional.empty());
    }

    /** Whether a row matches the filters and comes after the cursor. */
    public boolean matches(OrderSummary row) {
        return customer.map(row.customer()::equals).orElse(true) && status.map(s -> s == row.status()).orElse(true)
                && after.map(cursor -> cursor.precedes(row)).orElse(true);
    }
}
