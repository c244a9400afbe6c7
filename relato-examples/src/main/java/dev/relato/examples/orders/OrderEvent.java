package dev.relato.examples.orders;

import dev.relato.privacy.PersonalData;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * What happened to an order: the events of the {@code Order} stream category, stored under their simple
 * class names at schema version 1. Every event names its order, so a projection reads it without looking
 * at the stream. Immutable and thread-safe; the canonical constructors reject null components with
 * {@link NullPointerException}. Business rules are checked by {@link OrderDecider} before an event exists.
 */
public sealed interface OrderEvent {

    /** The order's id (the id of its stream). */
    String orderId();

    /**
     * An order was opened for a customer.
     *
     * @param customer     the customer's id, in plain text: the subject of the personal data
     * @param customerName the customer's name, or null if not given: personal data, stored encrypted under a key
     *                     of the customer, and read as {@link dev.relato.privacy.PersonalDataStore#ERASED} once the
     *                     customer's personal data was forgotten
     */
    record OrderPlaced(String orderId, String customer, @PersonalData(subject = "customer") String customerName)
            implements OrderEvent {
        public OrderPlaced {
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(customer, "customer");
        }

        /** An order placed without the customer's name. */
        public OrderPlaced(String orderId, String customer) {
            this(orderId, customer, null);
        }
    }

    /** A line was added to an open order. */
    record OrderLineAdded(String orderId, String lineId, String sku, int quantity, BigDecimal unitPrice)
            implements OrderEvent {
        public OrderLineAdded {
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(lineId, "lineId");
            Objects.requireNonNull(sku, "sku");
            Objects.requireNonNull(unitPrice, "unitPrice");
        }

        /**
         * Quantity times unit price, in {@link Money}'s canonical form.
         *
         * @throws IllegalStateException if the stored unit price cannot be read as money
         */
        public BigDecimal amount() {
            return Money.stored(unitPrice).multiply(BigDecimal.valueOf(quantity));
        }
    }

    /** A line was removed from an open order. */
    record OrderLineRemoved(String orderId, String lineId) implements OrderEvent {
        public OrderLineRemoved {
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(lineId, "lineId");
        }
    }

    /** The customer confirmed the order: its lines, and so its total, are final. */
    record OrderConfirmed(String orderId, BigDecimal total) implements OrderEvent {
        public OrderConfirmed {
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(total, "total");
        }

        /**
         * The total in {@link Money}'s canonical form.
         *
         * @throws IllegalStateException if the stored total cannot be read as money
         */
        public BigDecimal canonicalTotal() {
            return Money.stored(total);
        }
    }

    /** A confirmed order left the warehouse. */
    record OrderShipped(String orderId) implements OrderEvent {
        public OrderShipped {
            Objects.requireNonNull(orderId, "orderId");
        }
    }

    /** The order was called off before shipping. */
    record OrderCancelled(String orderId, String reason) implements OrderEvent {
        public OrderCancelled {
            Objects.requireNonNull(orderId, "orderId");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
