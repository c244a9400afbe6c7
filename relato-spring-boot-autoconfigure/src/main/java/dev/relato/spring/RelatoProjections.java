package dev.relato.spring;

import dev.relato.projection.CheckpointStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import dev.relato.projection.ProjectionStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The application's asynchronous projections (its {@link Projection} beans), one runner each, started when the
 * context starts and stopped when it stops. Stopping waits for each runner's batch in flight
 * ({@code relato.projections.shutdown-timeout}), so a graceful shutdown never cuts a batch short; the checkpoint
 * is where the next start goes on. It starts before the web server and stops after it.
 *
 * <p>An operator can {@link #pause} a projection, {@link #resume} it (also after a failure: a new runner goes on from
 * the checkpoint) and {@link #rebuild} it (the checkpoint goes back to the start and every event is handled again;
 * the read model is not cleared: handlers must overwrite, or clear it when they see the first event). A pause is
 * the store's durable flag ({@link CheckpointStore#pause}): it holds the projection's runners in every process
 * sharing the store, and it outlives a restart of the application until resumed. Thread-safe; the operations on one
 * projection are serialized.
 */
public final class RelatoProjections implements SmartLifecycle {
    /** Starts before and stops after the web server ({@code SmartLifecycle.DEFAULT_PHASE - 2048}). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
    private static final Logger LOG = LoggerFactory.getLogger(RelatoProjections.class);
    private static final long PAUSE_CHECK_MILLIS = 10;

    private final Map<String, Managed> projections = new LinkedHashMap<>();
    private volatile boolean running;

    RelatoProjections(List<Projection<?>> beans, Function<Projection<?>, ProjectionRunner.Builder<?>> runners,
                      CheckpointStore checkpoints, Duration pauseWait, ProjectionRunnerListener started) {
        for (Projection<?> projection : beans) {
            Managed managed = new Managed(projection.name(), runners.apply(projection), checkpoints, pauseWait, started);
            if (projections.putIfAbsent(projection.name(), managed) != null) {
                throw new IllegalStateException("two projection beans are named '" + projection.name()
                        + "': projection names key checkpoints and must be unique");
            }
        }
    }

    /** The projections' names, in bean order. */
    public List<String> names() {
        return List.copyOf(projections.keySet());
    }

    /** Each projection's status (a paused one is {@link ProjectionState#PAUSED}), in bean order. */
    public List<ProjectionStatus> statuses() {
        List<ProjectionStatus> all = new ArrayList<>();
        projections.values().forEach(m -> m.status().ifPresent(all::add));
        return all;
    }

    /** One projection's status; empty before the context started. */
    public Optional<ProjectionStatus> status(String name) {
        return managed(name).status();
    }

    /**
     * The projection's current runner, for its dead letters ({@link ProjectionRunner#deadLetters()},
     * {@link ProjectionRunner#replay}) and for waiting on it; empty before the context started. A {@link #resume} or
     * {@link #rebuild} after a stop starts a new runner.
     *
     * @throws NoSuchElementException if there is no projection of that name
     */
    public Optional<ProjectionRunner<?>> runner(String name) {
        return Optional.ofNullable(managed(name).runner);
    }

    /**
     * Whether an operator paused the projection, here or in another process sharing the store.
     *
     * @throws NoSuchElementException if there is no projection of that name
     */
    public boolean isPaused(String name) {
        return managed(name).isPaused();
    }

    /**
     * Waits until every running projection has handled the events stored when called.
     *
     * @return false if the timeout passed or a runner stopped first
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Managed m : projections.values()) {
            ProjectionRunner<?> runner = m.runner;
            if (runner != null && !runner.awaitCaughtUp(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Pauses the projection until {@link #resume}: sets the store's pause flag and waits, at most the shutdown timeout,
     * until this application's runner has finished its batch in flight and reports {@link ProjectionState#PAUSED}.
     * Runners in other processes stop within their poll interval. Idempotent. An interrupt ends the wait early (the
     * pause holds; the thread's interrupt flag is set again).
     *
     * @throws NoSuchElementException if there is no projection of that name
     * @throws dev.relato.StoreUnavailableException if the store cannot be reached (nothing is paused then)
     */
    public void pause(String name) {
        managed(name).pause();
    }

    /**
     * Lifts the projection's pause (in every process sharing the store) and, if this application's runner failed,
     * starts a new one from the checkpoint (it tries the failing event again).
     *
     * @throws NoSuchElementException if there is no projection of that name
     * @throws IllegalStateException  if the context is not running
     */
    public void resume(String name) {
        requireRunning();
        managed(name).resume();
    }

    /**
     * Moves the checkpoint back to the start and runs the projection from there (resuming it if paused or failed).
     *
     * @throws NoSuchElementException if there is no projection of that name
     * @throws IllegalStateException  if the context is not running
     */
    public void rebuild(String name) {
        requireRunning();
        managed(name).rebuild();
    }

    @Override
    public void start() {
        projections.values().forEach(Managed::start);
        running = true;
        LOG.info("projections started: {}", projections.keySet());
    }

    @Override
    public void stop() {
        running = false;
        projections.values().forEach(Managed::stop);
        LOG.info("projections stopped: {}", projections.keySet());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    @Override
    public String toString() {
        return "RelatoProjections" + projections.keySet();
    }

    private void requireRunning() {
        if (!running) {
            throw new IllegalStateException("the projections are not running (the context is stopped)");
        }
    }

    private Managed managed(String name) {
        Managed m = projections.get(name);
        if (m == null) {
            throw new NoSuchElementException("no projection named '" + name + "'; there are " + projections.keySet());
        }
        return m;
    }

    /** One projection's runner. Its operations are serialized; {@link #status()} reads without the lock. */
    private static final class Managed {
        private final String name;
        private final ProjectionRunner.Builder<?> builder;
        private final CheckpointStore checkpoints;
        private final Duration pauseWait;
        private final ProjectionRunnerListener started;
        private volatile @Nullable ProjectionRunner<?> runner;

        Managed(String name, ProjectionRunner.Builder<?> builder, CheckpointStore checkpoints, Duration pauseWait,
                ProjectionRunnerListener started) {
            this.name = name;
            this.builder = builder;
            this.checkpoints = checkpoints;
            this.pauseWait = pauseWait;
            this.started = started;
        }

        boolean isPaused() {
            return checkpoints.isPaused(name);
        }

        Optional<ProjectionStatus> status() {
            ProjectionRunner<?> current = runner;
            return current == null ? Optional.empty() : Optional.of(current.status());
        }

        synchronized void start() {
            if (runner == null || runner.status().state().isTerminal()) {
                ProjectionRunner<?> current = builder.start();
                runner = current;
                started.started(current);
            }
        }

        synchronized void stop() {
            ProjectionRunner<?> current = runner;
            if (current != null) {
                current.close();
            }
        }

        synchronized void pause() {
            checkpoints.pause(name);
            ProjectionRunner<?> current = runner;
            if (current == null) {
                return;
            }
            long deadline = System.nanoTime() + pauseWait.toNanos();
            while (System.nanoTime() < deadline) {
                ProjectionState state = current.status().state();
                if (state == ProjectionState.PAUSED || state.isTerminal()) {
                    return;
                }
                try {
                    Thread.sleep(PAUSE_CHECK_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            LOG.warn("projection '{}' is paused but its runner has not stopped its batch in flight after {}", name,
                    pauseWait);
        }

        synchronized void resume() {
            checkpoints.resume(name);
            start();
        }

        synchronized void rebuild() {
            resume();
            ProjectionRunner<?> current = runner;
            if (current != null) {
                current.resetTo(0);
            }
        }
    }
}
