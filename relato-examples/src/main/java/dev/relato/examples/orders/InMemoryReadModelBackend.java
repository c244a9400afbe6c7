package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionStatus;
import dev.relato.serialization.EventSerializer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Any event store, with the read models (order list, customer totals) kept in memory, each by an
 * asynchronous {@link ProjectionRunner}. Their checkpoints are kept in memory too, so at every start the
 * read models are rebuilt from the whole log (a read model that starts empty must see every event again).
 * Used for the in-memory and NATS stores. Thread-safe; closes the store it was given.
 */
final class InMemoryReadModelBackend implements OrdersBackend {
    private final String description;
    private final EventStore store;
    private final InMemoryOrderList orderList = new InMemoryOrderList();
    private final InMemoryCustomerTotals customerTotals = new InMemoryCustomerTotals();
    private final EventSerializer serializer;
    private final List<ProjectionRunner<?>> runners;

    InMemoryReadModelBackend(String description, EventStore store, EventSerializer serializer) {
        this.description = Objects.requireNonNull(description, "description");
        this.store = Objects.requireNonNull(store, "store");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        ProjectionRunner<?> list = null;
        try {
            list = run(InMemoryOrderList.PROJECTION, orderList, serializer);
            this.runners = List.of(list, run(InMemoryCustomerTotals.PROJECTION, customerTotals, serializer));
        } catch (RuntimeException e) {
            if (list != null) {
                list.close();
            }
            store.close();
            throw e;
        }
    }

    private <C> ProjectionRunner<C> run(Projection<C> projection, C readModel, EventSerializer serializer) {
        return ProjectionRunner.builder(projection, store, serializer)
                .context(readModel, new InMemoryCheckpointStore())
                .start();
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
    public boolean awaitReadModels(List<RecordedEvent> appended, Duration timeout) throws InterruptedException {
        return OrdersBackend.await(runners, appended, serializer, timeout);
    }

    @Override
    public List<ProjectionStatus> projections() {
        return runners.stream().map(ProjectionRunner::status).toList();
    }

    @Override
    public void close() {
        try {
            runners.forEach(ProjectionRunner::close);
        } finally {
            store.close();
        }
    }
}
