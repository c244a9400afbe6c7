package dev.relato.examples.fulfilment;

import dev.relato.aggregate.Decider;
import java.util.List;

/** The stock of one SKU, an aggregate that can refuse a reservation. */
public final class Inventory {

    /** Commands of the inventory. */
    public sealed interface Command {
        String sku();
    }

    public record Restock(String sku, int quantity) implements Command {
    }

    public record Reserve(String sku, String orderId, int quantity) implements Command {
    }

    public record Release(String sku, String orderId, int quantity) implements Command {
    }

    /** Events of the inventory. */
    public sealed interface Event {
    }

    public record Restocked(String sku, int quantity) implements Event {
    }

    public record Reserved(String sku, String orderId, int quantity) implements Event {
    }

    public record Released(String sku, String orderId, int quantity) implements Event {
    }

    /** The refusal to reserve more than is available. */
    public static final class OutOfStock extends RuntimeException {
        public OutOfStock(String sku, int wanted, int available) {
            super("only " + available + " of " + sku + " available, " + wanted + " wanted");
        }
    }

    /** The inventory of a SKU: the quantity available. */
    public static final Decider<Command, Event, Integer> DECIDER = Decider.of(() -> 0, (command, available) -> {
        if (command instanceof Reserve r && r.quantity() > available) {
            throw new OutOfStock(r.sku(), r.quantity(), available);
        }
        return List.of(command instanceof Restock r ? new Restocked(r.sku(), r.quantity())
                : command instanceof Reserve r ? new Reserved(r.sku(), r.orderId(), r.quantity())
                : new Released(command.sku(), ((Release) command).orderId(), ((Release) command).quantity()));
    }, (available, event) -> event instanceof Restocked r ? available + r.quantity()
            : event instanceof Reserved r ? available - r.quantity() : available + ((Released) event).quantity());

    private Inventory() {
    }
}
