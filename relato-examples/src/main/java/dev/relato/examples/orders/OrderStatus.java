package dev.relato.examples.orders;

import java.util.Locale;
import java.util.Optional;

/** Where an order is in its life. {@link #NEW} is the state of an order not placed yet (no events). */
public enum OrderStatus {
    /** Not placed yet: the order's stream has no events. */
    NEW,
    /** Placed; lines may be added and removed. */
    OPEN,
    /** Confirmed by the customer; lines are final. */
    CONFIRMED,
    /** Shipped; final. */
    SHIPPED,
    /** Cancelled; final. */
    CANCELLED;

    /** The status as it appears in JSON: lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status with this label (case-insensitive), if any. */
    public static Optional<OrderStatus> fromLabel(String label) {
        for (OrderStatus status : values()) {
            if (status.name().equalsIgnoreCase(label)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
