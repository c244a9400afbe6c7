package dev.relato.order;

import dev.relato.aggregate.Decider;
import dev.relato.order.OrderCommand.AddLine;
import dev.relato.order.OrderCommand.ConfirmOrder;
import dev.relato.order.OrderCommand.PlaceOrder;
import dev.relato.order.OrderEvent.OrderConfirmed;
import dev.relato.order.OrderEvent.OrderLineAdded;
import dev.relato.order.OrderEvent.OrderPlaced;
import dev.relato.order.OrderState.Status;
import java.util.List;

/** The Order aggregate in the decider style. */
public final class OrderDecider implements Decider<OrderCommand, OrderEvent, OrderState> {

    @Override
    public OrderState initialState() {
        return OrderState.initial();
    }

    @Override
    public List<OrderEvent> decide(OrderCommand command, OrderState state) {
        if (command instanceof PlaceOrder c) {
            if (state.status() != Status.NONE) {
                throw new IllegalStateException("order " + c.orderId() + " is already placed");
            }
            return List.of(new OrderPlaced(c.orderId(), c.customer(), c.at()));
        }
        if (command instanceof AddLine c) {
            requireOpen(state, c.orderId());
            if (c.quantity() < 1) {
                throw new IllegalArgumentException("quantity must be positive, got " + c.quantity());
            }
            return List.of(new OrderLineAdded(c.orderId(), c.sku(), c.quantity(), c.unitPrice()));
        }
        ConfirmOrder c = (ConfirmOrder) command;
        if (state.status() == Status.CONFIRMED) {
            return List.of();
        }
        requireOpen(state, c.orderId());
        if (state.lines().isEmpty()) {
            throw new IllegalStateException("order " + c.orderId() + " has no lines");
        }
        return List.of(new OrderConfirmed(c.orderId()));
    }

    @Override
    public OrderState evolve(OrderState state, OrderEvent event) {
        if (event instanceof OrderPlaced e) {
            return new OrderState(Status.OPEN, e.customer(), List.of());
        }
        if (event instanceof OrderLineAdded e) {
            return state.withLine(new OrderState.Line(e.sku(), e.quantity(), e.unitPrice()));
        }
        return new OrderState(Status.CONFIRMED, state.customer(), state.lines());
    }

    private static void requireOpen(OrderState state, String orderId) {
        if (state.status() != Status.OPEN) {
            throw new IllegalStateException("order " + orderId + " is " + state.status() + ", not OPEN");
        }
    }
}
