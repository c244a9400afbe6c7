package dev.relato.cli.ops;

import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.ProjectionRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The events projections skipped: list, show, discard, and replay through the projection's runner when it runs in
 * this process (a replay hands the event to the projection's handler, which only the application has). Thread-safe.
 */
public final class DeadLetterOperations {
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

    /** Whether a replay is possible here: the projection's runner runs in this process. */
    public boolean canReplay(String projection) {
        return projections.runner(projection).isPresent();
    }

    /**
     * Hands the event to the projection's handler again, through its runner in this process; removed on success.
     *
     * @return whether the handler succeeded
     * @throws OperationException if the projection's runner does not run in this process
     */
    public boolean replay(String projection, long position) {
        DeadLetter letter = show(projection, position);
        ProjectionRunner<?> runner = projections.runner(projection).orElseThrow(() -> new OperationException(
                "projection '" + Inputs.preview(projection) + "' does not run in this process: a replay needs its "
                        + "handlers, so replay it from the application that runs it"));
        return runner.replay(letter);
    }
}
