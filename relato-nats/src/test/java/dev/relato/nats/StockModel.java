package dev.relato.nats;

import dev.relato.EventStore;
import dev.relato.aggregate.AggregateRoot;
import dev.relato.aggregate.AggregateRootRepository;
import dev.relato.command.CommandBus;
import dev.relato.command.CommandMiddleware;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;

/**
 * The stock of the command dispatch tests: a root per SKU that is opened with a quantity and reserves from it,
 * refusing with {@link OutOfStock}; the commands that travel over NATS and the bus that handles them.
 */
final class StockModel {
    static final String CATEGORY = "Stock";
    /** Every command the senders know; {@link Count} has no handler on the bus. */
    static final EventTypes COMMANDS = EventTypes.builder().registerSealed(StockCommand.class).build();
    static final EventSerializer EVENTS = EventSerializer.of(EventTypes.builder().registerSealed(StockEvent.class)
            .build());
    /** The metadata entry naming the process that handled a command. */
    static final String NODE = "node";

    private StockModel() {
    }

    sealed interface StockCommand permits Open, Reserve, Count {
    }

    record Open(String sku, int quantity) implements StockCommand {
    }

    record Reserve(String sku, int quantity) implements StockCommand {
    }

    record Count(String sku) implements StockCommand {
    }

    sealed interface StockEvent permits Opened, Reserved {
    }

    record Opened(String sku, int quantity) implements StockEvent {
    }

    record Reserved(String sku, int quantity) implements StockEvent {
    }

    /** The domain's refusal: not enough stock. */
    static final class OutOfStock extends RuntimeException {
        OutOfStock(String message) {
            super(message);
        }
    }

    /** One SKU's stock. */
    static final class Stock extends AggregateRoot<StockEvent> {
        private int available;

        void open(int quantity) {
            raise(new Opened(id(), quantity));
        }

        void reserve(int quantity) {
            if (quantity <= 0) {
                throw new IllegalArgumentException("a reservation must be of 1 or more, got " + quantity);
            }
            if (quantity > available) {
                throw new OutOfStock(id() + " has " + available + ", " + quantity + " asked");
            }
            raise(new Reserved(id(), quantity));
        }

        @Override
        protected void apply(StockEvent event) {
            if (event instanceof Opened opened) {
                available = opened.quantity();
            } else if (event instanceof Reserved reserved) {
                available -= reserved.quantity();
            }
        }
    }

    /** The bus of a handling process named {@code node}: its events carry the node's name. */
    static CommandBus bus(EventStore store, String node) {
        AggregateRootRepository<Stock, StockEvent> stock = AggregateRootRepository
                .builder(store, EVENTS, CATEGORY, StockEvent.class, Stock::new).build();
        return CommandBus.builder(store)
                .create(Open.class, stock, Open::sku, (root, c) -> root.open(c.quantity()))
                .update(Reserve.class, stock, Reserve::sku, (root, c) -> root.reserve(c.quantity()))
                .middleware((command, next) -> next.proceed(command.withMetadata(command.metadata().with(NODE, node))))
                .build();
    }
}
