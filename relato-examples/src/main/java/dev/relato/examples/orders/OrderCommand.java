package dev.relato.examples.orders;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What a client asks of one order. Commands carry the values as the client sent them; whether they are
 * acceptable is decided by {@link OrderDecider}, which rejects them with {@link OrderRejectedException}.
 * Immutable and thread-safe; the canonical constructors reject null components with
 * {@link NullPointerException}.
 */
public sealed interface OrderCommand {

    /** The order the command is for (the id of its stream). */
    String orderId();

    /** Open a new order for a customer, with the customer's name if given (null if not). */
    record PlaceOrder(String orderId, String customer, String customerName) implements OrderCommand {
        public PlaceOrder {
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(customer, "customer");
        }

        /** Open a new order for a customer, without the customer's name. */
        public PlaceOrder(String orderId, String customer) {
            this(orderId, customer, null);
        }
    }

    /**
     * Add a line to an open order.
     *
     * @param lineId chosen by the caller before the command is handled, so a retried decision adds the same line
     */
    record AddLine(String orderId, String lineId, String sku, int quantity, BigDecimal unitPrice)
            implements OrderCommand {
        public AddLine {
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(lineId, "lineId");
            Objects.requireNonNull(sku, "sku");
            Objects.requireNonNull(unitPrice, "unitPrice");
        }
    }

    /** Remove a line from an open order. */
    record RemoveLine(String orderId, String lineId) implements OrderCommand {
        public RemoveLine {
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(lineId, "lineId");
        }
    }

    /** Confirm an open order that has lines. */
    record ConfirmOrder(String orderId) implements OrderCommand {
        public ConfirmOrder {
            Objects.requireNonNull(orderId, "orderId");
        }
    }

    /** Ship a confirmed order. */
    record ShipOrder(String orderId) implements OrderCommand {
        public ShipOrder {
            Objects.requireNonNull(orderId, "orderId");
        }
    }

    /** Cancel an order that has not shipped. */
    record CancelOrder(String orderId, String reason) implements OrderCommand {
        public CancelOrder {
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
