package dev.relato.order;

import java.math.BigDecimal;
import java.time.Instant;

/** Commands of the Order example domain. */
public sealed interface OrderCommand {

    record PlaceOrder(String orderId, String customer, Instant at) implements OrderCommand {
    }

    record AddLine(String orderId, String sku, int quantity, BigDecimal unitPrice) implements OrderCommand {
    }

    record ConfirmOrder(String orderId) implements OrderCommand {
    }
}
