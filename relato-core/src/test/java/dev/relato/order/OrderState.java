package dev.relato.order;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** State of an order in the decider style. */
public record OrderState(Status status, String customer, List<Line> lines) {
    public enum Status { NONE, OPEN, CONFIRMED }

    public record Line(String sku, int quantity, BigDecimal unitPrice) {
    }

    public OrderState {
        lines = List.copyOf(lines);
    }

    public static OrderState initial() {
        return new OrderState(Status.NONE, "", List.of());
    }

    public OrderState withLine(Line line) {
        List<Line> more = new ArrayList<>(lines);
        more.add(line);
        return new OrderState(status, customer, more);
    }

    public BigDecimal total() {
        return lines.stream().map(l -> l.unitPrice().multiply(BigDecimal.valueOf(l.quantity())))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
