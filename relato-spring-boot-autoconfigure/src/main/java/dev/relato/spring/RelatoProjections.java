package dev.relato.spring;

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
 * <p>An operator can {@link #pause} a projection (its runner stops at its checkpoint), {@link #resume} it (a new
 * runner goes on from the checkpoint, also after a failure) and {@link #rebuild} it (the checkpoint goes back to the
 * start and every event is handled again; the read model is not cleared: handlers must overwrite, or clear it when
 * they see the first event). Thread-safe; the operations on one projection are serialized.
 */
public final class RelatoProjections implements SmartLifecycle {
    /** Starts before and stops after the web server ({@code SmartLifecycle.DEFAULT_PHASE - 2048}). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
    private static final Logger LOG = LoggerFactory.getLogger(RelatoProjections.class);

    private final Map<String, Managed> projections = new LinkedHashMap<>();
    private volatile boolean running;

    RelatoProjections(List<Projection<?>> beans, Function<Projection<?>, ProjectionRunner.Builder<?>> runners,
                      ProjectionRunnerListener started) {
        for (Projection<?> projection : beans) {
            if (projections.putIfAbsent(projection.name(), new Managed(runners.apply(projection), started)) != null) {
                throw new IllegalStateException("two projection beans are named '" + projection.name()
                        + "': projection names key checkpoints and must be unique");
            }
        }
    }

    /** The projections' names, in bean order. */
    public List<String> names() {
        return List.copyOf(projections.keySet());
    }

    /** Each projection's status (a paused one is {@link ProjectionState#STOPPED}), in bean order. */
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

    /** Whether an operator paused the projection. */
    public boolean isPaused(String name) {
        return managed(name).paused;
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
     * Stops the projection's runner at its checkpoint, until {@link #resume}. Idempotent.
     *
     * @throws NoSuchElementException if there is no projection of that name
     */
    public void pause(String name) {
        managed(name).pause();
    }

    /**
     * Starts a new runner from the checkpoint: after a {@link #pause}, or after the runner failed (it tries the
     * failing event again). Does nothing if the runner is running.
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
        private final ProjectionRunner.Builder<?> builder;
        private final ProjectionRunnerListener started;
        private volatile @Nullable ProjectionRunner<?> runner;
        private volatile boolean paused;

        Managed(ProjectionRunner.Builder<?> builder, ProjectionRunnerListener started) {
            this.builder = builder;
            this.started = started;
        }

        Optional<ProjectionStatus> status() {
            ProjectionRunner<?> current = runner;
            return current == null ? Optional.empty() : Optional.of(current.status());
        }

        synchronized void start() {
            if (!paused && (runner == null || runner.status().state().isTerminal())) {
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
            paused = true;
            stop();
        }

        synchronized void resume() {
            paused = false;
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
