package dev.relato.order;

import dev.relato.serialization.EventType;
import java.math.BigDecimal;
import java.time.Instant;

/** Events of the Order example domain. */
public sealed interface OrderEvent {

    String orderId();

    record OrderPlaced(String orderId, String customer, Instant placedAt) implements OrderEvent {
    }

    @EventType(name = "OrderLineAdded", version = 1)
    record OrderLineAdded(String orderId, String sku, int quantity, BigDecimal unitPrice) implements OrderEvent {
    }

    record OrderConfirmed(String orderId) implements OrderEvent {
    }
}
