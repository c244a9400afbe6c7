package dev.relato.examples.orders;

import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.micrometer.RelatoMetrics;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.FailurePolicy;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import dev.relato.projection.ProjectionStatus;
import dev.relato.projection.ProjectionTransactions;
import dev.relato.serialization.EventSerializer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One asynchronous projection of the service and the {@link ProjectionRunner} that keeps it, as an operator
 * sees it: its status with the lag counted in events, the events it skipped, and two ways out of a stop.
 *
 * <p>Under {@link #POLICY} an event whose handler keeps failing stops the runner ({@link ProjectionState#FAILED})
 * with its checkpoint just before the event, so the read model never silently misses it. Then {@link #skip()}
 * records that event in the {@link DeadLetterStore}, moves the checkpoint onto it and starts a new runner, and
 * {@link #resume()} starts a new runner that tries the event again (once its cause is fixed). A dead letter can
 * be handed to the handler again with {@link #replay(long)}.
 *
 * <p>Thread-safe: {@link #skip()}, {@link #resume()}, {@link #replay(long)} and {@link #close()} are serialized;
 * {@link #report()} and {@link #runner()} may be called from any thread at any time.
 *
 * @param <C> the projection's context type
 */
final class ManagedProjection<C> implements AutoCloseable {
    /** Three attempts per event, 100 ms then 200 ms apart, then the runner stops. */
    static final FailurePolicy POLICY = ProjectionSkip.POLICY;
    /** The lag is counted up to this many events. */
    static final int LAG_COUNT_LIMIT = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(ManagedProjection.class);

    private final ProjectionRunner.Builder<C> builder;
    private final Projection<C> projection;
    private final EventStore store;
    private final EventSerializer serializer;
    private final EventFilter filter;
    private final DeadLetterStore deadLetters;
    private final RelatoMetrics metrics;
    private volatile ProjectionRunner<C> runner;
    private boolean closed;

    /**
     * Starts the projection's runner.
     *
     * @param store        the store whose log the runner reads
     * @param transactions where the read model and the checkpoint live
     * @param deadLetters  where skipped events are kept
     * @param metrics      where each runner's lag, state and lease gauges are kept (its events are counted
     *                     through the store's observer)
     */
    ManagedProjection(Projection<C> projection, EventStore store, EventSerializer serializer,
                      ProjectionTransactions<C> transactions, DeadLetterStore deadLetters, RelatoMetrics metrics) {
        this.projection = Objects.requireNonNull(projection, "projection");
        this.store = Objects.requireNonNull(store, "store");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.filter = projection.filter(serializer);
        this.builder = ProjectionRunner.builder(projection, store, serializer)
                .transactions(transactions)
                .failurePolicy(POLICY)
                .deadLetters(deadLetters);
        this.runner = builder.start();
        metrics.bind(runner);
    }

    /** Starts a new runner in place of {@code stopped}, its gauges in place of the stopped one's. */
    private void restart(ProjectionRunner<C> stopped) {
        runner = builder.start();
        metrics.unbind(stopped);
        metrics.bind(runner);
    }

    /** The projection's name, the key of its checkpoint and dead letters. */
    String name() {
        return runner.name();
    }

    /** The runner now running (or stopped); a new one after each skip or resume. */
    ProjectionRunner<C> runner() {
        return runner;
    }

    /**
     * Waits until the runner has handled the last of {@code appended} that the projection handles.
     *
     * @return true if it has (or handles none of them); false if the timeout passed or the runner stopped
     */
    boolean await(List<RecordedEvent> appended, Duration timeout) throws InterruptedException {
        return ReadModelWait.await(List.of(runner), appended, serializer, timeout);
    }

    /**
     * The runner's status, with the lag counted as the events of the projection after its position (up to
     * {@value #LAG_COUNT_LIMIT}). A runner that last said it was caught up but has events to handle is reported as
     * catching up.
     *
     * @throws dev.relato.StoreUnavailableException if the log cannot be read
     */
    Report report() {
        return report(runner, store, filter);
    }

    /**
     * The report on {@code runner}, a runner of a projection whose events {@code filter} selects, with its lag
     * counted in {@code store}'s log as {@link #report()} counts it.
     */
    static Report report(ProjectionRunner<?> runner, EventStore store, EventFilter filter) {
        ProjectionStatus status = runner.status();
        long head = store.headPosition();
        long lag;
        try (Stream<RecordedEvent> pending = store.readAll(GlobalRead.after(status.position()).filter(filter)
                .batchSize(1000).limit(LAG_COUNT_LIMIT))) {
            lag = pending.count();
        }
        ProjectionState state = status.state() == ProjectionState.CAUGHT_UP && lag > 0
                ? ProjectionState.CATCHING_UP : status.state();
        return new Report(status.name(), state, status.position(), Math.max(head, status.position()), lag,
                lag >= LAG_COUNT_LIMIT, lag == 0 ? Duration.ZERO : status.timeBehind(), status.lastError(),
                runner.deadLetters().size());
    }

    /** The events this projection skipped, by position. */
    List<DeadLetter> deadLetters() {
        return deadLetters.list(name());
    }

    /**
     * Skips the event a failed runner stopped at: records it as a dead letter, moves the checkpoint onto it and
     * starts a new runner, which goes on with the next event.
     *
     * @return the dead letter
     * @throws NotStoppedException    if the runner has not failed
     * @throws IllegalStateException  if there is no event after the checkpoint (nothing to skip) or this was closed
     */
    synchronized DeadLetter skip() {
        ProjectionRunner<C> stopped = failedRunner("skip its event");
        DeadLetter letter = ProjectionSkip.skip(stopped, store, serializer, deadLetters);
        restart(stopped);
        return letter;
    }

    /**
     * Starts a new runner from the checkpoint a failed one stopped at, which tries the failing event again.
     *
     * @throws NotStoppedException   if the runner has not failed
     * @throws IllegalStateException if this was closed
     */
    synchronized void resume() {
        ProjectionRunner<C> stopped = failedRunner("resume");
        restart(stopped);
        LOG.info("projection '{}' resumed by an operator from position {}", name(), stopped.status().position());
    }

    /**
     * Hands the dead letter at {@code position} to its handler again; on success it is removed.
     *
     * @return empty if there is no such dead letter; else whether the handler succeeded
     */
    synchronized Optional<Boolean> replay(long position) {
        Optional<DeadLetter> letter = deadLetters.find(name(), position);
        return letter.map(l -> runner.replay(l));
    }

    private ProjectionRunner<C> failedRunner(String action) {
        if (closed) {
            throw new IllegalStateException("projection '" + name() + "' is closed");
        }
        ProjectionRunner<C> current = runner;
        ProjectionState state = current.status().state();
        if (state != ProjectionState.FAILED) {
            throw new NotStoppedException(HttpProblem.projectionNotFailed(current.name(), state, action).getMessage());
        }
        return current;
    }

    /** Stops the runner. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        runner.close();
        metrics.unbind(runner);
    }

    /**
     * A projection as an operator sees it. Immutable and thread-safe.
     *
     * @param lag         events of the projection after its position, counted up to {@value #LAG_COUNT_LIMIT}
     * @param lagAtLeast  whether the count stopped at that limit (the lag is at least that)
     * @param deadLetters how many events it skipped and keeps as dead letters
     */
    record Report(String name, ProjectionState state, long position, long head, long lag, boolean lagAtLeast,
                  Duration timeBehind, Optional<String> lastError, int deadLetters) {
        /** Whether the projection keeps up: not failed, and nothing waiting. */
        boolean isCaughtUp() {
            return state == ProjectionState.CAUGHT_UP && lag == 0;
        }
    }

    /** An operation for a failed projection was asked of one that has not failed. */
    static final class NotStoppedException extends RuntimeException {
        NotStoppedException(String message) {
            super(message);
        }
    }
}
