package dev.relato.examples.orders;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One line of an order. Immutable and thread-safe.
 *
 * @throws NullPointerException from the constructor if a component is null
 */
public record OrderLine(String lineId, String sku, int quantity, BigDecimal unitPrice) {
    public OrderLine {
        Objects.requireNonNull(lineId, "lineId");
        Objects.requireNonNull(sku, "sku");
        Objects.requireNonNull(unitPrice, "unitPrice");
    }

    /** Quantity times unit price. */
    public BigDecimal amount() {
        return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }
}
