package dev.relato.projection;

import java.util.Objects;

/**
 * The transaction boundary of a {@link ProjectionRunner}: where a projection's read model and its checkpoint
 * live, and whether they change together.
 *
 * <ul>
 *   <li>When both are in one database, an implementation runs each batch in one transaction: the handlers'
 *       writes (through the context, for example the transaction's {@link java.sql.Connection}) and the new
 *       checkpoint commit together or not at all, so every event affects the read model exactly once, even if
 *       the process dies mid-batch. The SQL backends provide these (PostgreSQL, SQLite).</li>
 *   <li>Otherwise ({@link #atLeastOnce}) the handlers change the read model first and the checkpoint is saved
 *       after: a crash in between hands the same events to the handlers again, so handlers must be idempotent
 *       (the record's position or event id tells a repeat).</li>
 * </ul>
 *
 * <p>Implementations are thread-safe; the runner calls them from its own thread. Failures of the backend
 * surface as {@link dev.relato.StoreUnavailableException}, after which nothing of the batch is committed (or,
 * at least once, the checkpoint is not saved).
 *
 * @param <C> the context handed to the projection's handlers
 */
public interface ProjectionTransactions<C> {

    /** The checkpoint saved under {@code name}; 0 if none. */
    long checkpoint(String name);

    /**
     * Whether an operator has paused {@code name} ({@link CheckpointStore#pause}); a runner then handles nothing
     * until it is resumed. Implementations read the flag where they keep the checkpoint; this default, for
     * implementations written elsewhere, never pauses.
     */
    default boolean paused(String name) {
        return false;
    }

    /**
     * Runs {@code work} and moves the checkpoint {@code name} from {@code expected} to {@code next}: atomically,
     * or (at least once) the checkpoint after the work.
     *
     * @throws ProjectionOwnershipException if the stored checkpoint is no longer {@code expected}, or the lease
     *                                      guarding it is held by another node; nothing is committed
     * @throws Exception                    whatever the work throws, after rolling back what it did (if the
     *                                      implementation is transactional); the checkpoint is unchanged
     */
    void commit(String name, long expected, long next, Work<C> work) throws Exception;

    /** Runs {@code work} in a transaction of its own, without touching any checkpoint (used to replay an event). */
    void run(Work<C> work) throws Exception;

    /**
     * Whether {@link #commit} changes the read model and the checkpoint in one transaction that is open while the
     * work runs (the default). A runner under {@link ProjectionLeases leases} then never calls the leases from
     * inside the work, since the transaction may hold the lease's row (a fenced SQL commit): it checks the
     * lease by its own clock and cuts a batch short when the lease would run out. When this is false (at least
     * once), the runner renews the lease inside the work, between events and right before the checkpoint is
     * saved.
     */
    default boolean commitsAtomically() {
        return true;
    }

    /**
     * Work done with the context inside a transaction.
     *
     * @param <C> the context type
     */
    @FunctionalInterface
    interface Work<C> {
        void run(C context) throws Exception;
    }

    /**
     * Handlers update {@code context} (an in-memory model, a document store, another service …) and the
     * checkpoint is saved in {@code checkpoints} after each batch: at-least-once delivery. The expected
     * checkpoint is compared with the stored one before the work runs, not atomically with the save; a runner
     * under leases checks (and renews) its lease at the end of the work, right before the save.
     */
    static <C> ProjectionTransactions<C> atLeastOnce(C context, CheckpointStore checkpoints) {
        Objects.requireNonNull(context, "context must not be null");
        Objects.requireNonNull(checkpoints, "checkpoint store must not be null");
        return new ProjectionTransactions<>() {
            @Override
            public long checkpoint(String name) {
                return checkpoints.load(name);
            }

            @Override
            public boolean paused(String name) {
                return checkpoints.isPaused(name);
            }

            @Override
            public void commit(String name, long expected, long next, Work<C> work) throws Exception {
                long stored = checkpoints.load(name);
                if (stored != expected) {
                    throw new ProjectionOwnershipException("the checkpoint of '" + name + "' is at " + stored
                            + ", not at " + expected + " as this runner expected; it was moved by someone else");
                }
                work.run(context);
                checkpoints.save(name, next);
            }

            @Override
            public void run(Work<C> work) throws Exception {
                work.run(context);
            }

            @Override
            public boolean commitsAtomically() {
                return false;
            }

            @Override
            public String toString() {
                return "at-least-once transactions over " + checkpoints;
            }
        };
    }
}
