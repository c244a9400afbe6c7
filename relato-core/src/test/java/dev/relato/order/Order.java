package dev.relato.order;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import dev.relato.aggregate.AggregateRoot;
import dev.relato.order.OrderEvent.OrderConfirmed;
import dev.relato.order.OrderEvent.OrderLineAdded;
import dev.relato.order.OrderEvent.OrderPlaced;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The Order aggregate in the object style; its fields are visible to Jackson so it can be snapshotted. */
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE)
public final class Order extends AggregateRoot<OrderEvent> {
    private String customer;
    private boolean confirmed;
    private final List<OrderState.Line> lines = new ArrayList<>();

    public void place(String customerName, Instant at) {
        if (customer != null) {
            throw new IllegalStateException("order " + id() + " is already placed");
        }
        raise(new OrderPlaced(id(), customerName, at));
    }

    public void addLine(String sku, int quantity, BigDecimal unitPrice) {
        if (customer == null || confirmed) {
            throw new IllegalStateException("order " + id() + " is not open");
        }
        raise(new OrderLineAdded(id(), sku, quantity, unitPrice));
    }

    public void confirm() {
        if (confirmed) {
            throw new IllegalStateException("order " + id() + " is already confirmed");
        }
        if (lines.isEmpty()) {
            throw new IllegalStateException("order " + id() + " has no lines");
        }
        raise(new OrderConfirmed(id()));
    }

    @Override
    protected void apply(OrderEvent event) {
        if (event instanceof OrderPlaced e) {
            customer = e.customer();
        } else if (event instanceof OrderLineAdded e) {
            lines.add(new OrderState.Line(e.sku(), e.quantity(), e.unitPrice()));
        } else if (event instanceof OrderConfirmed) {
            confirmed = true;
        }
    }

    public String customer() {
        return customer;
    }

    public boolean confirmed() {
        return confirmed;
    }

    public List<OrderState.Line> lines() {
        return List.copyOf(lines);
    }
}
