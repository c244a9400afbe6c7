package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.projection.Projection;
import dev.relato.serialization.EventSerializer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Any event store, with the read models (order list, customer totals) kept in memory and rebuilt from the
 * whole log at every start, each by an asynchronous projection following the log from position 0. No
 * checkpoint is stored: a read model that starts empty must see every event again. Used for the in-memory
 * and NATS stores. Thread-safe; closes the store it was given.
 */
final class InMemoryReadModelBackend implements OrdersBackend {
    private final String description;
    private final EventStore store;
    private final InMemoryOrderList orderList = new InMemoryOrderList();
    private final InMemoryCustomerTotals customerTotals = new InMemoryCustomerTotals();
    private final List<ProjectionFollower> followers;

    InMemoryReadModelBackend(String description, EventStore store, EventSerializer serializer) {
        this.description = Objects.requireNonNull(description, "description");
        this.store = Objects.requireNonNull(store, "store");
        ProjectionFollower list = follow(InMemoryOrderList.PROJECTION, orderList, serializer);
        try {
            this.followers = List.of(list, follow(InMemoryCustomerTotals.PROJECTION, customerTotals, serializer));
        } catch (RuntimeException e) {
            list.close();
            throw e;
        }
    }

    private <C> ProjectionFollower follow(Projection<C> projection, C readModel, EventSerializer serializer) {
        return new ProjectionFollower(store, projection.name(), projection.filter(serializer), 0,
                event -> projection.handle(readModel, event, serializer));
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
    public List<OrderSummary> findOrders(OrderQuery query) {
        return orderList.find(query);
    }

    @Override
    public Optional<CustomerTotals> customerTotals(String customer) {
        return customerTotals.find(customer);
    }

    @Override
    public boolean awaitReadModels(long position, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProjectionFollower follower : followers) {
            if (!follower.awaitPosition(position, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<ProjectionStatus> projections() {
        return followers.stream().map(ProjectionFollower::status).toList();
    }

    @Override
    public void close() {
        try {
            followers.forEach(ProjectionFollower::close);
        } finally {
            store.close();
        }
    }
}
