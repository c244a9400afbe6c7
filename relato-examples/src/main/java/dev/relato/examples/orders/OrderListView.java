package dev.relato.examples.orders;

import java.time.Duration;
import java.util.List;

/**
 * The order list read model as the service queries it, whatever keeps it up to date. Implementations are
 * thread-safe.
 */
interface OrderListView {

    /** The rows matching the query, newest placed first. */
    List<OrderSummary> find(OrderQuery query);

    /**
     * Waits until the read model reflects every event up to {@code position}.
     *
     * @return true if it does, false if the timeout passed or the projection stopped first
     */
    boolean awaitPosition(long position, Duration timeout) throws InterruptedException;
}
