/**
 * The Orders service: an HTTP JSON API over an event-sourced order, runnable on SQLite, PostgreSQL, NATS
 * JetStream or in memory ({@link dev.relato.examples.orders.OrdersApp}).
 *
 * <p>The domain is a decider ({@link dev.relato.examples.orders.OrderDecider}) over sealed commands
 * ({@link dev.relato.examples.orders.OrderCommand}) and events ({@link dev.relato.examples.orders.OrderEvent});
 * broken rules throw {@link dev.relato.examples.orders.OrderRejectedException}. Two read models are kept by
 * projections: the order list ({@link dev.relato.examples.orders.OrderSummary}), asynchronous, and customer
 * totals ({@link dev.relato.examples.orders.CustomerTotals}), inline on the SQL stores. On NATS and in
 * memory both are kept in memory and rebuilt from the log at start.
 */
@NullMarked
package dev.relato.examples.orders;

import org.jspecify.annotations.NullMarked;
