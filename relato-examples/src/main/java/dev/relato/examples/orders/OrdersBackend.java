package dev.relato.examples.orders;

import dev.relato.EventStore;
import java.util.List;

/**
 * One way to store orders: an event store and the projections that keep the order list, owned together
 * and closed together. Implementations are thread-safe.
 */
interface OrdersBackend extends AutoCloseable {

    /** Where the events are, for people: {@code sqlite at /abs/path}. */
    String description();

    EventStore store();

    OrderListView orderList();

    /** The status of each projection the backend runs. */
    List<ProjectionStatus> projections();

    /** Stops the projections, then closes the store. */
    @Override
    void close();
}
