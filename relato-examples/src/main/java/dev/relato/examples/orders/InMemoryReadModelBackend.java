package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.serialization.EventSerializer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Any event store, with the order list kept in memory and rebuilt from the whole log at every start by a
 * subscription from position 0. Thread-safe; closes the store it was given.
 */
final class InMemoryReadModelBackend implements OrdersBackend {
    private final String description;
    private final EventStore store;
    private final InMemoryOrderList list = new InMemoryOrderList();
    private final ProjectionFollower projection;

    InMemoryReadModelBackend(String description, EventStore store, EventSerializer serializer) {
        this.description = Objects.requireNonNull(description, "description");
        this.store = Objects.requireNonNull(store, "store");
        this.projection = new ProjectionFollower(store, InMemoryOrderList.PROJECTION.name(),
                InMemoryOrderList.PROJECTION.filter(serializer), 0,
                event -> InMemoryOrderList.PROJECTION.handle(list, event, serializer));
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public EventStore store() {
        return store;
    }

    @Override
    public OrderListView orderList() {
        return new OrderListView() {
            @Override
            public List<OrderSummary> find(OrderQuery query) {
                return list.find(query);
            }

            @Override
            public boolean awaitPosition(long position, Duration timeout) throws InterruptedException {
                return projection.awaitPosition(position, timeout);
            }
        };
    }

    @Override
    public List<ProjectionStatus> projections() {
        return List.of(projection.status());
    }

    @Override
    public void close() {
        try {
            projection.close();
        } finally {
            store.close();
        }
    }
}
