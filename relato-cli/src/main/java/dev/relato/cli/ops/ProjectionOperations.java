package dev.relato.cli.ops;

import dev.relato.EventStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Asynchronous projections, known by their checkpoints: list them, show one, pause and resume one, move its
 * checkpoint back or forward (reset) or to the start (rebuild).
 *
 * <p>A pause is the store's durable flag ({@link CheckpointStore#pause}): the projection's runners, in this process
 * or any other sharing the store, stop within about their poll interval and go on from their checkpoint once
 * resumed. Pausing first is also how to reset or rebuild a projection whose runners keep running elsewhere.
 *
 * <p>A projection's runner usually lives in an application. Given that application's runners
 * ({@link #withRunners}), as when the console is mounted inside it, a reset goes through the runner, which applies
 * it between batches. Without them, as on the command line, a reset writes the checkpoint, which the projection's
 * runners read when they start: stop them first, or a running one saves its own position over it. Neither touches
 * the read model: a rebuild from the start expects the application to clear it, as
 * {@link ProjectionRunner#resetTo} does. Thread-safe.
 */
public final class ProjectionOperations {
    private final EventStore store;
    private final CheckpointStore checkpoints;
    private final DeadLetterStore deadLetters;
    private final Map<String, ProjectionRunner<?>> runners;

    public ProjectionOperations(EventStore store, CheckpointStore checkpoints, DeadLetterStore deadLetters) {
        this(store, checkpoints, deadLetters, Map.of());
    }

    private ProjectionOperations(EventStore store, CheckpointStore checkpoints, DeadLetterStore deadLetters,
                                 Map<String, ProjectionRunner<?>> runners) {
        this.store = Objects.requireNonNull(store, "store");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.runners = runners;
    }

    /** These operations, going through {@code running} (this process' runners) for the projections they run. */
    public ProjectionOperations withRunners(Collection<? extends ProjectionRunner<?>> running) {
        Map<String, ProjectionRunner<?>> byName = new TreeMap<>();
        running.forEach(r -> byName.put(r.name(), r));
        return new ProjectionOperations(store, checkpoints, deadLetters, Map.copyOf(byName));
    }

    /** Every projection with a checkpoint, a pause or a runner in this process, by name. */
    public List<ProjectionInfo> list() {
        long head = store.headPosition();
        SortedMap<String, Long> positions = new TreeMap<>(loadAll());
        SortedSet<String> paused = checkpoints.loadPaused();
        paused.forEach(name -> positions.putIfAbsent(name, 0L));
        runners.forEach((name, runner) -> positions.put(name, runner.status().position()));
        List<ProjectionInfo> all = new ArrayList<>();
        positions.forEach((name, position) -> all.add(info(name, position, head, paused.contains(name))));
        return all;
    }

    /**
     * One projection.
     *
     * @throws OperationException if it has no checkpoint and no runner here
     */
    public ProjectionInfo status(String name) {
        Inputs.projection(name);
        long head = store.headPosition();
        ProjectionRunner<?> runner = runners.get(name);
        boolean paused = checkpoints.isPaused(name);
        if (runner != null) {
            return info(name, runner.status().position(), head, paused);
        }
        Long position = loadAll().get(name);
        if (position == null && !paused) {
            throw new OperationException("no projection '" + Inputs.preview(name) + "': no checkpoint has that name");
        }
        return info(name, position == null ? 0 : position, head, paused);
    }

    /**
     * Pauses the projection: its runners, here or in any process sharing the store, stop handling events within
     * about their poll interval and keep their checkpoint. Pausing a paused projection is fine.
     *
     * @throws OperationException if the projection is unknown or the store cannot keep pauses
     */
    public ProjectionInfo pause(String name) {
        status(name);
        pauses(() -> checkpoints.pause(name));
        return status(name);
    }

    /**
     * Lifts the projection's pause: its runners go on from its checkpoint. Resuming a running projection is fine.
     *
     * @throws OperationException if the projection is unknown or the store cannot keep pauses
     */
    public ProjectionInfo resume(String name) {
        status(name);
        pauses(() -> checkpoints.resume(name));
        return status(name);
    }

    private static void pauses(Runnable change) {
        try {
            change.run();
        } catch (UnsupportedOperationException e) {
            throw new OperationException(e.getMessage());
        }
    }

    /**
     * Moves the projection's checkpoint to {@code position}: events after it are handled again (or, ahead,
     * skipped). Through its runner if it runs here; otherwise its runners must be stopped.
     *
     * @throws OperationException if the projection is unknown or the position is past the head of the log
     */
    public ProjectionInfo reset(String name, long position) {
        status(name);
        long head = store.headPosition();
        if (position < 0 || position > head) {
            throw new OperationException("position " + position + " is outside the log: use 0 to " + head);
        }
        ProjectionRunner<?> runner = runners.get(name);
        if (runner != null) {
            runner.resetTo(position);
        } else {
            checkpoints.save(name, position);
        }
        return status(name);
    }

    /** Resets the projection to the start of the log (see {@link #reset}). */
    public ProjectionInfo rebuild(String name) {
        return reset(name, 0);
    }

    /** The runner of this process for the projection, if any. */
    public Optional<ProjectionRunner<?>> runner(String name) {
        return Optional.ofNullable(runners.get(name));
    }

    private SortedMap<String, Long> loadAll() {
        try {
            return checkpoints.loadAll();
        } catch (UnsupportedOperationException e) {
            throw new OperationException(e.getMessage());
        }
    }

    private ProjectionInfo info(String name, long position, long head, boolean paused) {
        ProjectionRunner<?> runner = runners.get(name);
        Optional<ProjectionStatus> status = Optional.ofNullable(runner).map(ProjectionRunner::status);
        return new ProjectionInfo(name, position, head, Math.max(0, head - position), deadLetters.list(name).size(),
                paused,
                status.map(s -> s.state().name().toLowerCase(Locale.ROOT)), status.flatMap(ProjectionStatus::lastError));
    }
}
