/**
 * Projections: read models kept up to date from the events.
 *
 * <p>A {@link dev.relato.projection.Projection} defines what to do (handlers per event class over a context
 * {@code C}); it runs in one of two ways:
 * <ul>
 *   <li><b>Inline</b>, inside the transaction of the append that wrote its events, on the SQL backends: the
 *       read model and the events commit together or not at all ({@link dev.relato.projection.InlineProjections},
 *       used by the PostgreSQL and SQLite projecting event stores).</li>
 *   <li><b>Asynchronously</b>, by a {@link dev.relato.projection.ProjectionRunner} on a thread of its own,
 *       which catches up from a checkpoint and follows new events in batches, woken by the store's
 *       {@link dev.relato.EventStore#awaitHead}; its handlers can tell live events from catch-up ones
 *       ({@link dev.relato.projection.Projection.LiveAwareHandler}). Where the read model and its
 *       checkpoint commit is a {@link dev.relato.projection.ProjectionTransactions}: in one transaction of one
 *       database (exactly once; PostgreSQL, SQLite) or one after the other (at least once, idempotent
 *       handlers). Failing events are retried and then stop the runner or go to a
 *       {@link dev.relato.projection.DeadLetterStore} by the {@link dev.relato.projection.FailurePolicy};
 *       {@link dev.relato.projection.ProjectionStatus} reports progress and lag;
 *       {@link dev.relato.projection.ProjectionVersions} switches between a live version and its rebuild;
 *       {@link dev.relato.projection.Partition}s and {@link dev.relato.projection.ProjectionLeases} spread the
 *       work over several nodes, each partition owned by one node at a time; a
 *       {@link dev.relato.projection.ProjectionDaemon} starts and stops a process' runners together.</li>
 * </ul>
 */
@NullMarked
package dev.relato.projection;

import org.jspecify.annotations.NullMarked;
