package dev.relato.examples.orders;

import dev.relato.RecordedEvent;
import dev.relato.cli.ops.StoreTarget;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.process.DeadlineStore;
import dev.relato.projection.CheckpointStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One way to store orders: an event store and the read models kept from it, owned together and closed
 * together. Implementations are thread-safe.
 */
interface OrdersBackend extends AutoCloseable {

    /** Where the events are, for people: {@code sqlite at /abs/path}. */
    String description();

    /**
     * The store commands append to (with any inline projections): the customers' names are encrypted in it, and
     * read decrypted through it, by the projections too.
     */
    PersonalDataStore store();

    /** The order list rows matching the query, newest placed first. */
    List<OrderSummary> findOrders(OrderQuery query);

    /** The customer's totals, if the customer has placed an order. */
    Optional<CustomerTotals> customerTotals(String customer);

    /** Where the fulfilment's payment deadlines are kept: beside the events where the store can keep them. */
    DeadlineStore deadlines();

    /** Where the fulfilment process keeps its checkpoint. */
    CheckpointStore checkpoints();

    /** The asynchronous projections the backend runs. */
    List<ManagedProjection<?>> projections();

    /**
     * The store with its checkpoints, dead letters and data keys, for the console the service serves at
     * {@code /console}; closing it leaves them open.
     */
    StoreTarget console();

    /**
     * Waits until every asynchronous projection that handles some of {@code appended} has handled them;
     * projections that handle none of them are not waited for.
     *
     * @return true if they have, false if the timeout passed or a projection stopped first
     */
    default boolean awaitReadModels(List<RecordedEvent> appended, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ManagedProjection<?> projection : projections()) {
            if (!projection.await(appended, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /** Stops the projections, then closes the store. */
    @Override
    void close();
}
