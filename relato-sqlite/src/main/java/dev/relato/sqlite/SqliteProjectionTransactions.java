package dev.relato.sqlite;

import dev.relato.projection.ProjectionOwnershipException;
import dev.relato.projection.ProjectionTransactions;
import java.sql.Connection;
import java.util.Objects;

/**
 * {@link ProjectionTransactions} for a read model in the same SQLite file as the events: each batch of a
 * {@link dev.relato.projection.ProjectionRunner} runs in the store's write transaction
 * ({@link SqliteEventStore#inTransaction}); the handlers write through the transaction's {@link Connection} and
 * the checkpoint is saved in the same transaction, so the read model and the checkpoint commit together and
 * every event affects the read model exactly once, even if the process dies mid-batch.
 *
 * <pre>{@code
 * ProjectionRunner<Connection> runner = ProjectionRunner.builder(orderList, store, serializer)
 *         .transactions(new SqliteProjectionTransactions(store))
 *         .start();
 * }</pre>
 *
 * <p>Handlers must not commit, roll back or begin transactions on the connection (the connection refuses);
 * a handler that throws rolls the whole batch back. Thread-safe. Failures: SQLite failures throw
 * {@link dev.relato.StoreUnavailableException} or {@link dev.relato.StoreFailureException}, as the event store
 * classifies them; a checkpoint moved by someone else since it was loaded throws
 * {@link ProjectionOwnershipException}, and nothing is committed.
 */
public final class SqliteProjectionTransactions implements ProjectionTransactions<Connection> {
    private final SqliteEventStore store;

    /** Transactions of {@code store}'s file, with checkpoints in its {@link SqliteEventStore#checkpoints()}. */
    public SqliteProjectionTransactions(SqliteEventStore store) {
        this.store = Objects.requireNonNull(store, "store must not be null");
    }

    @Override
    public long checkpoint(String name) {
        return store.checkpoints().load(name);
    }

    @Override
    public boolean paused(String name) {
        return store.checkpoints().isPaused(name);
    }

    @Override
    public void commit(String name, long expected, long next, Work<Connection> work) {
        SqliteCheckpointStore checkpoints = store.checkpoints();
        store.inTransaction(tx -> {
            long stored = checkpoints.load(tx, name);
            if (stored != expected) {
                throw new ProjectionOwnershipException("the checkpoint of '" + name + "' is at " + stored + ", not at "
                        + expected + " as the runner expected; it was moved by someone else");
            }
            work.run(tx.connection());
            checkpoints.save(tx, name, next);
        });
    }

    @Override
    public void run(Work<Connection> work) {
        store.inTransaction(tx -> work.run(tx.connection()));
    }

    @Override
    public String toString() {
        return "SQLite projection transactions of " + store;
    }
}
