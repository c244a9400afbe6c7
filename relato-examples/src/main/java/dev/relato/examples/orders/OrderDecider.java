package dev.relato.examples.orders;

import dev.relato.aggregate.Decider;
import dev.relato.examples.orders.OrderCommand.AddLine;
import dev.relato.examples.orders.OrderCommand.CancelOrder;
import dev.relato.examples.orders.OrderCommand.ConfirmOrder;
import dev.relato.examples.orders.OrderCommand.PlaceOrder;
import dev.relato.examples.orders.OrderCommand.RemoveLine;
import dev.relato.examples.orders.OrderCommand.ShipOrder;
import dev.relato.examples.orders.OrderEvent.OrderCancelled;
import dev.relato.examples.orders.OrderEvent.OrderConfirmed;
import dev.relato.examples.orders.OrderEvent.OrderLineAdded;
import dev.relato.examples.orders.OrderEvent.OrderLineRemoved;
import dev.relato.examples.orders.OrderEvent.OrderPlaced;
import dev.relato.examples.orders.OrderEvent.OrderShipped;
import dev.relato.examples.orders.OrderRejectedException.Reason;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * The rules of an order, as a {@link Decider}:
 *
 * <ul>
 *   <li>an order is placed once, for a customer of 1 to {@value #MAX_TEXT} characters;</li>
 *   <li>lines are added and removed only while it is open (not after confirmation, shipping or
 *       cancellation); a line has a new id, a SKU of 1 to {@value #MAX_SKU} characters, a quantity of 1 to
 *       {@value #MAX_QUANTITY} and a unit price of 0 or more, below 10^12, with at most 4 decimals (kept in
 *       {@link Money}'s canonical form);
 *       an order has at most {@value #MAX_LINES} lines; only a line on the order can be removed;</li>
 *   <li>only an open order with lines can be confirmed;</li>
 *   <li>only a confirmed order can be shipped, and only once;</li>
 *   <li>an order can be cancelled, with a reason, until it ships, and only once.</li>
 * </ul>
 *
 * <p>A broken rule throws {@link OrderRejectedException}. Stateless and thread-safe.
 */
public final class OrderDecider implements Decider<OrderCommand, OrderEvent, OrderState> {
    static final int MAX_TEXT = 100;
    static final int MAX_SKU = 64;
    static final int MAX_REASON = 500;
    static final int MAX_QUANTITY = 1_000_000;
    static final int MAX_LINES = 500;

    @Override
    public OrderState initialState() {
        return OrderState.initial();
    }

    @Override
    public List<OrderEvent> decide(OrderCommand command, OrderState state) {
        if (command instanceof PlaceOrder place) {
            return place(place, state);
        }
        if (state.status() == OrderStatus.NEW) {
            throw new OrderRejectedException(Reason.ORDER_NOT_FOUND, "order " + command.orderId() + " does not exist");
        }
        if (command instanceof AddLine add) {
            return addLine(add, state);
        } else if (command instanceof RemoveLine remove) {
            return removeLine(remove, state);
        } else if (command instanceof ConfirmOrder confirm) {
            return confirm(confirm, state);
        } else if (command instanceof ShipOrder ship) {
            return ship(ship, state);
        } else if (command instanceof CancelOrder cancel) {
            return cancel(cancel, state);
        }
        throw new IllegalArgumentException("unknown command " + command.getClass().getName());
    }

    @Override
    public OrderState evolve(OrderState state, OrderEvent event) {
        if (event instanceof OrderPlaced placed) {
            return state.placedBy(placed.customer(), Optional.ofNullable(placed.customerName()));
        } else if (event instanceof OrderLineAdded added) {
            return state.withLine(new OrderLine(added.lineId(), added.sku(), added.quantity(),
                    Money.stored(added.unitPrice())));
        } else if (event instanceof OrderLineRemoved removed) {
            return state.withoutLine(removed.lineId());
        } else if (event instanceof OrderConfirmed) {
            return state.withStatus(OrderStatus.CONFIRMED);
        } else if (event instanceof OrderShipped) {
            return state.withStatus(OrderStatus.SHIPPED);
        } else if (event instanceof OrderCancelled cancelled) {
            return state.cancelled(cancelled.reason());
        }
        throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }

    private static List<OrderEvent> place(PlaceOrder command, OrderState state) {
        if (state.status() != OrderStatus.NEW) {
            throw new OrderRejectedException(Reason.ORDER_ALREADY_PLACED, "order " + command.orderId()
                    + " already exists");
        }
        requireText(command.customer(), MAX_TEXT, Reason.INVALID_CUSTOMER, "customer");
        if (command.customer().strip().startsWith("$")) {
            throw new OrderRejectedException(Reason.INVALID_CUSTOMER, "customer must not start with '$'");
        }
        String name = command.customerName();
        if (name != null) {
            requireText(name, MAX_TEXT, Reason.INVALID_CUSTOMER, "customerName");
            name = name.strip();
        }
        return List.of(new OrderPlaced(command.orderId(), command.customer().strip(), name));
    }

    private static List<OrderEvent> addLine(AddLine command, OrderState state) {
        requireOpen(command.orderId(), state, "add a line to");
        requireText(command.sku(), MAX_SKU, Reason.INVALID_SKU, "sku");
        if (command.quantity() < 1 || command.quantity() > MAX_QUANTITY) {
            throw new OrderRejectedException(Reason.INVALID_QUANTITY, "quantity must be 1 to " + MAX_QUANTITY
                    + ", got " + command.quantity());
        }
        BigDecimal price = Money.unitPrice(command.unitPrice()).orElseThrow(() -> new OrderRejectedException(
                Reason.INVALID_PRICE, "unit price must be 0 or more, below " + Money.PRICE_LIMIT.toPlainString()
                + ", with at most " + Money.MAX_DECIMALS + " decimals; got " + Money.describe(command.unitPrice())));
        if (state.line(command.lineId()).isPresent()) {
            throw new OrderRejectedException(Reason.DUPLICATE_LINE, "order " + command.orderId() + " already has line "
                    + command.lineId());
        }
        if (state.lines().size() >= MAX_LINES) {
            throw new OrderRejectedException(Reason.TOO_MANY_LINES, "order " + command.orderId() + " already has "
                    + MAX_LINES + " lines");
        }
        return List.of(new OrderLineAdded(command.orderId(), command.lineId(), command.sku().strip(), command.quantity(),
                price));
    }

    private static List<OrderEvent> removeLine(RemoveLine command, OrderState state) {
        requireOpen(command.orderId(), state, "remove a line from");
        if (state.line(command.lineId()).isEmpty()) {
            throw new OrderRejectedException(Reason.UNKNOWN_LINE, "order " + command.orderId() + " has no line "
                    + command.lineId());
        }
        return List.of(new OrderLineRemoved(command.orderId(), command.lineId()));
    }

    private static List<OrderEvent> confirm(ConfirmOrder command, OrderState state) {
        requireOpen(command.orderId(), state, "confirm");
        if (state.lines().isEmpty()) {
            throw new OrderRejectedException(Reason.ORDER_EMPTY, "order " + command.orderId()
                    + " has no lines; add one before confirming");
        }
        return List.of(new OrderConfirmed(command.orderId(), state.total()));
    }

    private static List<OrderEvent> ship(ShipOrder command, OrderState state) {
        if (state.status() == OrderStatus.SHIPPED) {
            throw new OrderRejectedException(Reason.ORDER_ALREADY_SHIPPED, "order " + command.orderId()
                    + " has already shipped");
        }
        if (state.status() != OrderStatus.CONFIRMED) {
            throw new OrderRejectedException(Reason.ORDER_NOT_CONFIRMED, "cannot ship order " + command.orderId()
                    + ": it is " + state.status().label() + ", and only confirmed orders ship");
        }
        return List.of(new OrderShipped(command.orderId()));
    }

    private static List<OrderEvent> cancel(CancelOrder command, OrderState state) {
        if (state.status() == OrderStatus.SHIPPED) {
            throw new OrderRejectedException(Reason.ORDER_ALREADY_SHIPPED, "cannot cancel order " + command.orderId()
                    + ": it has shipped");
        }
        if (state.status() == OrderStatus.CANCELLED) {
            throw new OrderRejectedException(Reason.ORDER_ALREADY_CANCELLED, "order " + command.orderId()
                    + " is already cancelled");
        }
        requireText(command.reason(), MAX_REASON, Reason.INVALID_REASON, "reason");
        return List.of(new OrderCancelled(command.orderId(), command.reason().strip()));
    }

    private static void requireOpen(String orderId, OrderState state, String action) {
        if (state.status() != OrderStatus.OPEN) {
            throw new OrderRejectedException(Reason.ORDER_NOT_OPEN, "cannot " + action + " order " + orderId + ": it is "
                    + state.status().label());
        }
    }

    private static void requireText(String value, int maxLength, Reason reason, String field) {
        TextRules.problem(field, value, maxLength).ifPresent(problem -> {
            throw new OrderRejectedException(reason, problem);
        });
    }
}
