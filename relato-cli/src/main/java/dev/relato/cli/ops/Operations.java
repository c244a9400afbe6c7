package dev.relato.cli.ops;

import java.util.Objects;

/**
 * Every operation on one store, by area, for the command line and the console alike: streams, the global log,
 * removing events from streams, personal-data erasure, projections, dead letters and the SQL schema. Thread-safe.
 */
public final class Operations {
    private final StoreTarget target;
    private final StreamOperations streams;
    private final StreamRemoval removal;
    private final Erasure erasure;
    private final LogOperations log;
    private final ProjectionOperations projections;
    private final DeadLetterOperations deadLetters;

    public Operations(StoreTarget target) {
        this(target, new ProjectionOperations(target.store(), target.checkpoints(), target.deadLetters()));
    }

    /** Operations whose projection operations are {@code projections} (for example with this process' runners). */
    public Operations(StoreTarget target, ProjectionOperations projections) {
        this.target = Objects.requireNonNull(target, "target");
        this.streams = new StreamOperations(target.store());
        this.removal = new StreamRemoval(target.store(), target.kind());
        this.erasure = new Erasure(target.store(), target::dataKeys);
        this.log = new LogOperations(target.store());
        this.projections = Objects.requireNonNull(projections, "projections");
        this.deadLetters = new DeadLetterOperations(target.deadLetters(), projections);
    }

    public StoreTarget target() {
        return target;
    }

    public StreamOperations streams() {
        return streams;
    }

    public StreamRemoval removal() {
        return removal;
    }

    public Erasure erasure() {
        return erasure;
    }

    public LogOperations log() {
        return log;
    }

    public ProjectionOperations projections() {
        return projections;
    }

    public DeadLetterOperations deadLetters() {
        return deadLetters;
    }

    /**
     * The schema operations.
     *
     * @throws OperationException if the store has no SQL schema to manage
     */
    public SchemaOperations schema() {
        return SchemaOperations.of(target);
    }
}
