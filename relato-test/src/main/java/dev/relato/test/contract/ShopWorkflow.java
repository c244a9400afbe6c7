package dev.relato.test.contract;

import dev.relato.EventStore;
import dev.relato.aggregate.Decider;
import dev.relato.aggregate.DeciderRepository;
import dev.relato.command.CommandBus;
import dev.relato.process.CommandRejected;
import dev.relato.process.DeadlineFired;
import dev.relato.process.ProcessManager;
import dev.relato.process.Reaction;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.time.Duration;
import java.util.List;

/**
 * The workflow the process manager contract runs: an order confirmed reserves stock (which can refuse), waits for
 * payment for {@link #PAYMENT_TIMEOUT}, then is shipped; unpaid, it is cancelled and its stock released. Three
 * aggregates (Order, Stock, Shipment) as deciders.
 */
final class ShopWorkflow {
    static final Duration PAYMENT_TIMEOUT = Duration.ofMinutes(30);

    record Confirm(String orderId, String sku) {
    }

    record Pay(String orderId) {
    }

    record Cancel(String orderId, String reason) {
    }

    record Restock(String sku, int count) {
    }

    record Reserve(String sku, String orderId) {
    }

    record Release(String sku, String orderId) {
    }

    record Ship(String orderId) {
    }

    record Confirmed(String orderId, String sku) {
    }

    record Paid(String orderId) {
    }

    record Cancelled(String orderId, String reason) {
    }

    record Restocked(String sku, int count) {
    }

    record Reserved(String sku, String orderId) {
    }

    record Released(String sku, String orderId) {
    }

    record Shipped(String orderId) {
    }

    /** The domain's refusal to reserve stock that is not there. */
    static final class OutOfStock extends RuntimeException {
        OutOfStock(String sku) {
            super("no stock of " + sku);
        }
    }

    /** The state of one fulfilment. */
    record Fulfilment(String orderId, String sku, String stage) {
        static final Fulfilment NEW = new Fulfilment("", "", "NEW");

        Fulfilment at(String next) {
            return new Fulfilment(orderId, sku, next);
        }
    }

    static final EventSerializer SERIALIZER = EventSerializer.of(EventTypes.builder()
            .register(Confirmed.class, "Confirmed", 1).register(Paid.class, "Paid", 1)
            .register(Cancelled.class, "Cancelled", 1).register(Restocked.class, "Restocked", 1)
            .register(Reserved.class, "Reserved", 1).register(Released.class, "Released", 1)
            .register(Shipped.class, "Shipped", 1).build());

    static final Decider<Object, Object, String> ORDER = Decider.of(() -> "NEW", (command, status) -> {
        if (command instanceof Confirm c) {
            return status.equals("NEW") ? List.of(new Confirmed(c.orderId(), c.sku())) : List.of();
        }
        if (command instanceof Pay p) {
            if (!status.equals("CONFIRMED")) {
                throw new IllegalStateException("order " + p.orderId() + " is " + status + ", it cannot be paid");
            }
            return List.of(new Paid(p.orderId()));
        }
        Cancel c = (Cancel) command;
        return status.equals("CANCELLED") ? List.of() : List.of(new Cancelled(c.orderId(), c.reason()));
    }, (status, event) -> event instanceof Confirmed ? "CONFIRMED" : event instanceof Paid ? "PAID" : "CANCELLED");

    static final Decider<Object, Object, Integer> STOCK = Decider.of(() -> 0, (command, available) -> {
        if (command instanceof Restock r) {
            return List.of(new Restocked(r.sku(), r.count()));
        }
        if (command instanceof Reserve r) {
            if (available < 1) {
                throw new OutOfStock(r.sku());
            }
            return List.of(new Reserved(r.sku(), r.orderId()));
        }
        Release r = (Release) command;
        return List.of(new Released(r.sku(), r.orderId()));
    }, (available, event) -> event instanceof Restocked r ? available + r.count()
            : event instanceof Reserved ? available - 1 : available + 1);

    static final Decider<Ship, Shipped, Boolean> SHIPMENT = Decider.of(() -> false,
            (ship, shipped) -> shipped ? List.of() : List.of(new Shipped(ship.orderId())), (shipped, event) -> true);

    static final ProcessManager<Fulfilment> FULFILMENT = ProcessManager
            .named("Fulfilment", Fulfilment.class, Fulfilment.NEW)
            .startedBy(Confirmed.class, Confirmed::orderId)
            .on(Paid.class, Paid::orderId)
            .on(Shipped.class, Shipped::orderId)
            .reacting(ShopWorkflow::react)
            .build();

    static Reaction<Fulfilment> react(Fulfilment state, Object input) {
        if (input instanceof Confirmed c) {
            return Reaction.of(new Fulfilment(c.orderId(), c.sku(), "AWAITING_PAYMENT"))
                    .send(new Reserve(c.sku(), c.orderId())).schedule("payment", PAYMENT_TIMEOUT);
        }
        if (input instanceof Paid) {
            return Reaction.of(state.at("SHIPPING")).cancel("payment").send(new Ship(state.orderId()));
        }
        if (input instanceof Shipped) {
            return Reaction.of(state.at("SHIPPED")).finish();
        }
        if (input instanceof DeadlineFired) {
            return Reaction.of(state.at("CANCELLED")).send(new Cancel(state.orderId(), "unpaid"))
                    .send(new Release(state.sku(), state.orderId())).finish();
        }
        if (input instanceof CommandRejected rejected && rejected.command() instanceof Reserve) {
            return Reaction.of(state.at("CANCELLED")).send(new Cancel(state.orderId(), "out of stock")).finish();
        }
        return Reaction.of(state);
    }

    /** A bus routing every command of the workflow to its aggregate, on {@code store}. */
    static CommandBus.Builder bus(EventStore store) {
        DeciderRepository<Object, Object, String> orders = DeciderRepository
                .builder(store, SERIALIZER, "Order", Object.class, ORDER).build();
        DeciderRepository<Object, Object, Integer> stock = DeciderRepository
                .builder(store, SERIALIZER, "Stock", Object.class, STOCK).build();
        DeciderRepository<Ship, Shipped, Boolean> shipments = DeciderRepository
                .builder(store, SERIALIZER, "Shipment", Shipped.class, SHIPMENT).build();
        return CommandBus.builder(store)
                .decider(Confirm.class, orders, Confirm::orderId)
                .decider(Pay.class, orders, Pay::orderId)
                .decider(Cancel.class, orders, Cancel::orderId)
                .decider(Restock.class, stock, Restock::sku)
                .decider(Reserve.class, stock, Reserve::sku)
                .decider(Release.class, stock, Release::sku)
                .decider(Ship.class, shipments, Ship::orderId);
    }

    private ShopWorkflow() {
    }
}
