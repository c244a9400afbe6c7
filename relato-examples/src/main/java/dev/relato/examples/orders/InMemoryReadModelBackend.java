package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.cli.ops.StoreTarget;
import dev.relato.micrometer.RelatoMetrics;
import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.process.DeadlineStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionTransactions;
import dev.relato.serialization.EventSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Any event store, with the read models (order list, customer totals) kept in memory, each by an
 * asynchronous {@link ProjectionRunner}. Their checkpoints are kept in memory too, so at every start the read
 * models are rebuilt from the whole log (a read model that starts empty must see every event again), and an event
 * skipped before a restart is met again after it. The dead letters go where the caller says: in memory, or in the
 * store's own dead-letter store (NATS), where they outlive a restart. Used for the in-memory and NATS stores.
 * Thread-safe; closes the store it was given.
 */
final class InMemoryReadModelBackend implements OrdersBackend {
    private final String kind;
    private final String description;
    private final PersonalDataStore store;
    private final CheckpointStore readModelCheckpoints = new InMemoryCheckpointStore();
    private final Supplier<DataKeyStore> dataKeys;
    private final InMemoryOrderList orderList = new InMemoryOrderList();
    private final InMemoryCustomerTotals customerTotals = new InMemoryCustomerTotals();
    private final DeadLetterStore deadLetters;
    private final DeadlineStore deadlines;
    private final CheckpointStore checkpoints;
    private final List<ManagedProjection<?>> projections;
    private final RelatoMetrics metrics;

    /**
     * @param kind        {@code memory} or {@code nats}, for the console
     * @param dataKeys    the store's data keys, for the console and the customers' personal data
     * @param kek         the key-encryption key of the customers' personal data
     * @param deadlines   where the fulfilment's payment deadlines are kept
     * @param checkpoints where the fulfilment process keeps its checkpoint
     */
    InMemoryReadModelBackend(String kind, String description, EventStore store, DeadLetterStore deadLetters,
                             Supplier<DataKeyStore> dataKeys, KeyEncryptionKey kek, DeadlineStore deadlines,
                             CheckpointStore checkpoints,
                             EventSerializer serializer, RelatoMetrics metrics) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.dataKeys = Objects.requireNonNull(dataKeys, "dataKeys");
        this.description = Objects.requireNonNull(description, "description");
        Objects.requireNonNull(store, "store");
        try {
            this.store = OrdersKeys.wrap(store, dataKeys.get(), kek);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.deadlines = Objects.requireNonNull(deadlines, "deadlines");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        Objects.requireNonNull(serializer, "serializer");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        List<ManagedProjection<?>> started = new ArrayList<>();
        try {
            started.add(run(InMemoryOrderList.PROJECTION, orderList, serializer));
            started.add(run(InMemoryCustomerTotals.PROJECTION, customerTotals, serializer));
            this.projections = List.copyOf(started);
        } catch (RuntimeException e) {
            started.forEach(ManagedProjection::close);
            store.close();
            throw e;
        }
    }

    private <C> ManagedProjection<C> run(Projection<C> projection, C readModel, EventSerializer serializer) {
        return new ManagedProjection<>(projection, store, serializer,
                ProjectionTransactions.atLeastOnce(readModel, readModelCheckpoints), deadLetters,
                metrics);
    }

    @Override
    public StoreTarget console() {
        return StoreTarget.of(kind, description, store, readModelCheckpoints, deadLetters, dataKeys);
    }

    @Override
    public DeadlineStore deadlines() {
        return deadlines;
    }

    @Override
    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public PersonalDataStore store() {
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
    public List<ManagedProjection<?>> projections() {
        return projections;
    }

    @Override
    public void close() {
        try {
            projections.forEach(ManagedProjection::close);
        } finally {
            store.close();
        }
    }
}
