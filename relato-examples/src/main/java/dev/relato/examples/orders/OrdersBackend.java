package dev.relato.examples.orders;

import dev.relato.EventStore;
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
     * Waits until every asynchronous read model reflects the events up to {@code position}.
     *
     * @return true if they do, false if the timeout passed or a projection stopped first
     */
    boolean awaitReadModels(long position, Duration timeout) throws InterruptedException;

    /** The status of each projection the backend runs. */
    List<ProjectionStatus> projections();

    /** Stops the projections, then closes the store. */
    @Override
    void close();
}
