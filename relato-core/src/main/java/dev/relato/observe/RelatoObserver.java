package dev.relato.observe;

import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import java.time.Duration;
import java.util.List;

/**
 * Told what Relato does: by the stores (appends, stream loads and their store-specific waits), by the repositories
 * (attempts per command, snapshot hits) and by the projection runners (each event handled, batches, failures,
 * retries, dead letters). Every method does nothing by default, so an implementation overrides only what it
 * records, and Relato's core needs no metrics or tracing library.
 *
 * <p>Methods are called on the thread doing the work, often under load and sometimes while the store holds a
 * lock: implementations must be thread-safe, fast and must not throw (an exception thrown from an observer
 * fails the operation it observes). Arguments such as a stream id are for traces; a metric must tag with
 * bounded values only: {@code store}, {@link StreamId#category()}, projection name, {@link Outcome#tag()}.
 */
public interface RelatoObserver {

    /** An observer that records nothing; the default of every store. */
    static RelatoObserver none() {
        return NoObserver.INSTANCE;
    }

    /** One observer telling each of {@code observers}, in order. */
    static RelatoObserver of(RelatoObserver... observers) {
        return observers.length == 1 ? observers[0] : new CompositeObserver(List.of(observers));
    }

    /**
     * An append of {@code events} events to {@code stream} starts on the store named {@code store} ("memory",
     * "sqlite", "postgres", "nats"). The store stores each event's metadata through {@link Observation#carry}.
     */
    default Observation append(String store, StreamId stream, int events) {
        return Observation.NONE;
    }

    /** A read of {@code stream} (a stream load) starts. */
    default Observation load(String store, StreamId stream) {
        return Observation.NONE;
    }

    /**
     * Projection {@code projection} starts handling {@code event}, whose metadata holds what the append's
     * {@link Observation#carry} put there.
     */
    default Observation handle(String projection, RecordedEvent event) {
        return Observation.NONE;
    }

    /**
     * A command of type {@code command} on an aggregate of {@code category} starts being handled: the one hook
     * for command handling, called by whatever dispatches commands.
     */
    default Observation command(String category, String command) {
        return Observation.NONE;
    }

    /** A projection committed a batch of {@code events} events, which took {@code took}. */
    default void batchHandled(String projection, int events, Duration took) {
    }

    /** A projection handler failed on an event (it will be retried, skipped or stop the runner). */
    default void handlerFailed(String projection, Throwable failure) {
    }

    /** A projection handles an event again after a failure. */
    default void handlerRetried(String projection) {
    }

    /** A projection gave up on an event and kept it as a dead letter. */
    default void deadLettered(String projection) {
    }

    /** A repository finished a command on {@code category} after {@code attempts} attempts (1: no conflict). */
    default void commandAttempts(String category, int attempts) {
    }

    /** A repository looked for a snapshot of a {@code category} aggregate: usable ({@code hit}) or not. */
    default void snapshotLoaded(String category, boolean hit) {
    }

    /** SQLite: an append waited {@code wait} in the single writer's queue before its transaction began. */
    default void writeQueueWait(String store, Duration wait) {
    }

    /** SQLite: the single writer committed {@code appends} appends in one transaction (group commit). */
    default void groupCommit(String store, int appends) {
    }

    /**
     * PostgreSQL: readers of the global log are held back, for {@code held} so far, by a transaction in flight below
     * the head (they cannot pass a position an uncommitted transaction may still fill). Told about once a second
     * while the store's subscriptions poll and the hold-back lasts, and on each check an operator asks for;
     * {@link Duration#ZERO} when a hold-back seen by that polling has ended.
     */
    default void readersHeldBack(String store, Duration held) {
    }

    /** NATS: a publish to JetStream was tried again after a transient failure. */
    default void publishRetried(String store) {
    }
}
