package dev.relato.examples.fulfilment;

import dev.relato.examples.fulfilment.Inventory.Release;
import dev.relato.examples.fulfilment.Inventory.Reserve;
import dev.relato.examples.fulfilment.Payments.PaymentReceived;
import dev.relato.examples.orders.OrderCommand.CancelOrder;
import dev.relato.examples.orders.OrderCommand.ShipOrder;
import dev.relato.examples.orders.OrderEvent.OrderConfirmed;
import dev.relato.examples.orders.OrderEvent.OrderLineAdded;
import dev.relato.examples.orders.OrderEvent.OrderLineRemoved;
import dev.relato.examples.orders.OrderEvent.OrderPlaced;
import dev.relato.examples.orders.OrderEvent.OrderShipped;
import dev.relato.process.CommandRejected;
import dev.relato.process.DeadlineFired;
import dev.relato.process.ProcessManager;
import dev.relato.process.Reaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The fulfilment of an order, across the Order, Inventory and Payment aggregates: confirming reserves the stock of
 * every line (an inventory can refuse: the order is cancelled and what was reserved released), then the order waits
 * for its payment; paid, it ships; unpaid after the payment timeout, it is cancelled and its stock released.
 *
 * @param orderId  the order
 * @param lines    its lines, as added and not removed
 * @param stage    PLACED, AWAITING_PAYMENT, SHIPPING, SHIPPED, CANCELLED (unpaid) or REFUSED (out of stock)
 */
public record Fulfilment(String orderId, List<Line> lines, String stage) {
    public record Line(String lineId, String sku, int quantity) {
    }

    static final Fulfilment NONE = new Fulfilment("", List.of(), "NONE");

    /** The process manager, with its payment timeout. */
    public static ProcessManager<Fulfilment> manager(Duration paymentTimeout) {
        return ProcessManager.named("Fulfilment", Fulfilment.class, NONE)
                .startedBy(OrderPlaced.class, OrderPlaced::orderId)
                .on(OrderLineAdded.class, OrderLineAdded::orderId)
                .on(OrderLineRemoved.class, OrderLineRemoved::orderId)
                .on(OrderConfirmed.class, OrderConfirmed::orderId)
                .on(PaymentReceived.class, PaymentReceived::orderId)
                .on(OrderShipped.class, OrderShipped::orderId)
                .reacting((state, input) -> state.react(input, paymentTimeout))
                .build();
    }

    Reaction<Fulfilment> react(Object input, Duration paymentTimeout) {
        if (input instanceof OrderPlaced placed) {
            return Reaction.of(new Fulfilment(placed.orderId(), List.of(), "PLACED"));
        }
        if (input instanceof OrderLineAdded added) {
            List<Line> more = new ArrayList<>(lines);
            more.add(new Line(added.lineId(), added.sku(), added.quantity()));
            return Reaction.of(new Fulfilment(orderId, more, stage));
        }
        if (input instanceof OrderLineRemoved removed) {
            List<Line> fewer = new ArrayList<>(lines);
            fewer.removeIf(line -> line.lineId().equals(removed.lineId()));
            return Reaction.of(new Fulfilment(orderId, fewer, stage));
        }
        if (input instanceof OrderConfirmed) {
            Reaction<Fulfilment> reaction = Reaction.of(at("AWAITING_PAYMENT")).schedule("payment", paymentTimeout);
            for (Line line : lines) {
                reaction = reaction.send(new Reserve(line.sku(), orderId, line.quantity()));
            }
            return reaction;
        }
        if (input instanceof PaymentReceived) {
            return Reaction.of(at("SHIPPING")).cancel("payment").send(new ShipOrder(orderId));
        }
        if (input instanceof OrderShipped) {
            return Reaction.of(at("SHIPPED")).finish();
        }
        if (input instanceof DeadlineFired) {
            return cancel("CANCELLED", "unpaid", lines.size());
        }
        if (input instanceof CommandRejected rejected && rejected.command() instanceof Reserve refused) {
            return cancel("REFUSED", "out of stock: " + refused.sku(), reservedBefore(refused));
        }
        return Reaction.of(this);
    }

    /** How many lines were reserved before the refused one (reservations are sent in line order). */
    private int reservedBefore(Reserve refused) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).sku().equals(refused.sku()) && lines.get(i).quantity() == refused.quantity()) {
                return i;
            }
        }
        return lines.size();
    }

    /** Cancels the order, ending at {@code stage}, and releases the first {@code reserved} lines. */
    private Reaction<Fulfilment> cancel(String stage, String reason, int reserved) {
        Reaction<Fulfilment> reaction = Reaction.of(at(stage)).send(new CancelOrder(orderId, reason));
        for (Line line : lines.subList(0, reserved)) {
            reaction = reaction.send(new Release(line.sku(), orderId, line.quantity()));
        }
        return reaction.finish();
    }

    private Fulfilment at(String next) {
        return new Fulfilment(orderId, lines, next);
    }
}
