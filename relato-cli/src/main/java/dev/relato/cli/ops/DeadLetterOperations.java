package dev.relato.cli.ops;

import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.ProjectionRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The events projections skipped: list, show, discard and replay. A replay hands the event to the projection's
 * handler, which only the application running the projection has: through its runner when it runs in this process,
 * otherwise as a request stored with the dead letter ({@link DeadLetterStore#requestReplay}), which the projection's
 * runner, in whatever process, carries out within about its poll interval. Thread-safe.
 */
public final class DeadLetterOperations {
    /** How often a replay asked of another process is looked at while waiting for it. */
    private static final Duration WATCH_INTERVAL = Duration.ofMillis(100);

    private final DeadLetterStore deadLetters;
    private final ProjectionOperations projections;

    public DeadLetterOperations(DeadLetterStore deadLetters, ProjectionOperations projections) {
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.projections = Objects.requireNonNull(projections, "projections");
    }

    /** The dead letters of one projection, or of every projection, by projection and position. */
    public List<DeadLetter> list(Optional<String> projection) {
        if (projection.isPresent()) {
            return deadLetters.list(projections.status(projection.get()).name());
        }
        List<DeadLetter> all = new ArrayList<>();
        for (ProjectionInfo info : projections.list()) {
            all.addAll(deadLetters.list(info.name()));
        }
        return all;
    }

    /**
     * One dead letter.
     *
     * @throws OperationException if there is none at that position
     */
    public DeadLetter show(String projection, long position) {
        Inputs.projection(projection);
        return deadLetters.find(projection, position).orElseThrow(() -> new OperationException(
                "projection '" + Inputs.preview(projection) + "' has no dead letter at position " + position));
    }

    /** Removes the dead letter: the event stays skipped for good. */
    public DeadLetter discard(String projection, long position) {
        DeadLetter letter = show(projection, position);
        deadLetters.remove(projection, position);
        return letter;
    }

    /**
     * Hands the event to the projection's handler again: at once through its runner when it runs in this process,
     * otherwise by asking its runner through the store and waiting up to {@code wait} to see how it went. On success
     * the dead letter is removed.
     *
     * @throws OperationException if there is no such dead letter or the store cannot keep replay requests
     */
    public ReplayOutcome replay(String projection, long position, Duration wait) throws InterruptedException {
        DeadLetter letter = show(projection, position);
        Optional<ProjectionRunner<?>> runner = projections.runner(projection);
        if (runner.isPresent()) {
            return runner.get().replay(letter) ? ReplayOutcome.REPLAYED : ReplayOutcome.FAILED_AGAIN;
        }
        try {
            if (!deadLetters.requestReplay(projection, position)) {
                return ReplayOutcome.REPLAYED; // removed since it was read: the runner replayed it meanwhile
            }
        } catch (UnsupportedOperationException e) {
            throw new OperationException(e.getMessage());
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            if (deadLetters.find(projection, position).isEmpty()) {
                return ReplayOutcome.REPLAYED;
            }
            if (!deadLetters.replayRequests(projection).contains(position)) {
                return ReplayOutcome.FAILED_AGAIN;
            }
            if (System.nanoTime() - deadline >= 0) {
                return ReplayOutcome.REQUESTED;
            }
            Thread.sleep(WATCH_INTERVAL.toMillis());
        }
    }
}
