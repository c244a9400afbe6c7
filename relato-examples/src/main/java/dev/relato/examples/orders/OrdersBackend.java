package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;
import dev.relato.projection.ProjectionStatus;
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

    /** The store commands append to (with any inline projections). */
    EventStore store();

    /** The order list rows matching the query, newest placed first. */
    List<OrderSummary> findOrders(OrderQuery query);

    /** The customer's totals, if the customer has placed an order. */
    Optional<CustomerTotals> customerTotals(String customer);

    /**
     * Waits until every asynchronous read model that handles some of {@code appended} reflects them.
     *
     * @return true if they do, false if the timeout passed or a projection stopped first
     */
    boolean awaitReadModels(List<RecordedEvent> appended, Duration timeout) throws InterruptedException;

    /**
     * Waits until each runner has handled the last of {@code appended} that its projection handles; runners
     * that handle none of them are not waited for (they may only notice such events at their next poll).
     */
    static boolean await(List<? extends ProjectionRunner<?>> runners, List<RecordedEvent> appended,
                         EventSerializer serializer, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProjectionRunner<?> runner : runners) {
            long position = appended.stream().filter(e -> runner.projection().accepts(e, serializer))
                    .mapToLong(RecordedEvent::position).max().orElse(0);
            if (position > 0
                    && !runner.awaitPosition(position, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /** The status of each projection the backend runs. */
    List<ProjectionStatus> projections();

    /** Stops the projections, then closes the store. */
    @Override
    void close();
}
