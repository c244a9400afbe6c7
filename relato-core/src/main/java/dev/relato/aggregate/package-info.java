/**
 * Aggregates: state rebuilt from a stream, commands turned into events, appended with optimistic
 * concurrency. Two equal styles run on one repository core:
 *
 * <ul>
 *   <li><b>Decider</b>: {@link dev.relato.aggregate.Decider} (pure {@code initialState}, {@code decide},
 *       {@code evolve}), run by {@link dev.relato.aggregate.DeciderRepository#handle};</li>
 *   <li><b>Aggregate root</b>: a subclass of {@link dev.relato.aggregate.AggregateRoot} whose methods
 *       {@code raise} events, loaded and saved by {@link dev.relato.aggregate.AggregateRootRepository}.</li>
 * </ul>
 *
 * <p>Both repositories load the current state, the state as of a version or a point in time, create a
 * stream (failing if it exists), load or create in one call, retry a command from a fresh load when another
 * writer got there first (with jittered backoff, under a {@link dev.relato.RetryPolicy}), pass metadata
 * through, and take snapshots by {@link dev.relato.aggregate.SnapshotPolicy} or on request into any
 * {@link dev.relato.snapshot.SnapshotStore}. {@code using(EventStore)} runs either in the caller's transaction,
 * through a store view bound to it. Repositories are thread-safe; root instances are not.
 */
@NullMarked
package dev.relato.aggregate;

import org.jspecify.annotations.NullMarked;
