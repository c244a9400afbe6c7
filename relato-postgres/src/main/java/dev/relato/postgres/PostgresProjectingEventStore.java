package dev.relato.postgres;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.ForwardingEventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamOperations;
import dev.relato.StreamRead;
import dev.relato.projection.InlineProjections;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionException;
import dev.relato.serialization.EventSerializer;
import dev.relato.spi.Observed;
import dev.relato.spi.RetryState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * A {@link PostgresEventStore} that runs inline projections: every append through it also runs the registered
 * {@link Projection}s in the append's transaction, on its {@link Connection}. The events and the read-model
 * changes commit together; if a handler throws, the transaction is rolled back and the append fails with
 * {@link ProjectionException}: neither the events nor any read-model change is stored.
 *
 * <pre>{@code
 * EventStore store = postgresStore.projecting(serializer, List.of(orderTotals));
 * store.append(stream, ExpectedVersion.noStream(), events);   // order_totals updated in the same transaction
 * }</pre>
 *
 * <p>Appends whose event types no projection handles go straight to the store. An idempotent retry
 * ({@link AppendResult#retried()}) runs no projection: the original append did. Reads and subscriptions are
 * the store's. Appends that bypass this object do not run the projections. Unlike the store's own
 * {@link PostgresEventStore#append(StreamId, ExpectedVersion, List)}, an append that races a concurrent writer
 * of the same ids is not retried here: it fails as {@link PostgresEventStore#append(Connection, StreamId,
 * ExpectedVersion, List)} does. An append that PostgreSQL refuses as a serialization failure or deadlock runs
 * again in a new transaction, projections included, under the store's append retry policy.
 *
 * <p>Streams are deleted, tombstoned and truncated through it as through the store ({@link StreamOperations}); the
 * notice of the removal ({@link dev.relato.StreamNotice}) goes to the projections with notice handlers in the
 * removal's own transaction, so a read model drops a stream's rows in the transaction that deletes its events.
 *
 * <p>Thread-safe. {@link #close()} closes the underlying store (not the data source). Failures: as
 * {@link PostgresEventStore}, plus {@link ProjectionException} from a failing handler.
 */
public final class PostgresProjectingEventStore extends ForwardingEventStore implements StreamOperations {
    private final PostgresEventStore store;
    private final DataSource dataSource;
    private final InlineProjections<Connection> projections;

    private PostgresProjectingEventStore(PostgresEventStore store, DataSource dataSource,
                                         InlineProjections<Connection> projections) {
        super(store);
        this.store = store;
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
        this.projections = projections;
        store.registerKeyWriter(this);
    }

    /**
     * Runs {@code projections} inline with every append through the returned store.
     *
     * @param dataSource the store's data source: the appends' transactions are opened on it
     * @throws IllegalArgumentException if two projections share a name or one handles a class the serializer does
     *                                  not know
     */
    public static PostgresProjectingEventStore of(PostgresEventStore store, DataSource dataSource,
                                                  EventSerializer serializer, List<Projection<Connection>> projections) {
        return new PostgresProjectingEventStore(store, dataSource, InlineProjections.of(serializer, projections));
    }

    /** The underlying store. */
    public PostgresEventStore store() {
        return store;
    }

    /** The inline projections, in the order they run. */
    public List<Projection<Connection>> projections() {
        return projections.projections();
    }

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(events, "events");
        if (!projections.concerns(stream, events)) {
            return store.append(stream, expected, events);
        }
        return Observed.append(store.observer(), PostgresEventStore.STORE, stream, events,
                carried -> appendWithProjections(stream, expected, carried));
    }

    private AppendResult appendWithProjections(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        return transaction("append to '" + stream + "'", c -> append(c, stream, expected, events),
                AppendResult::retried);
    }

    /** Work on the connection of a transaction of this store's own. */
    @FunctionalInterface
    private interface TransactionWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in a transaction of its own and commits it; one that PostgreSQL refuses as a serialization
     * failure or deadlock runs again, under the store's append retry policy.
     *
     * @param unchanged whether the result changed nothing (then the store's readers are not woken)
     */
    private <T> T transaction(String what, TransactionWork<T> work, Predicate<T> unchanged) {
        RetryState retries = store.appendRetries();
        while (true) {
            RuntimeException failure;
            Connection c;
            try {
                c = dataSource.getConnection();
                c.setAutoCommit(false);
            } catch (SQLException e) {
                throw store.errors().translate(e, "opening a transaction to " + what);
            }
            try {
                T result = work.run(c);
                c.commit();
                if (!unchanged.test(result)) {
                    store.committed();
                }
                return result;
            } catch (SQLException e) {
                Sessions.rollback(c, e);
                failure = store.errors().translate(e, "committing the " + what + " with its inline projections");
            } catch (RuntimeException e) {
                Sessions.rollback(c, e);
                failure = e;
            } catch (Error e) {
                Sessions.rollback(c, e);
                throw e;
            } finally {
                Sessions.giveBack(c);
            }
            // This transaction is the store's own: one that lost a serialization race runs again, as the
            // store's own appends do.
            if (!(failure.getCause() instanceof SQLException cause) || !store.retryAfter(cause, retries)) {
                throw failure;
            }
        }
    }

    /**
     * Appends within the caller's transaction and runs the projections in it; neither commits nor rolls back.
     *
     * @throws ProjectionException if a handler failed; the caller must roll back
     */
    public AppendResult append(Connection tx, StreamId stream, ExpectedVersion expected, List<EventData> events) {
        AppendResult result = store.append(tx, stream, expected, events);
        if (!result.retried() && projections.concerns(stream, events)) {
            projections.apply(tx, result.events());
        }
        return result;
    }

    /** As {@link PostgresEventStore#deleteStream}, telling the projections in the same transaction. */
    @Override
    public long deleteStream(StreamId stream, ExpectedVersion expected) {
        return removal("delete stream '" + stream + "'", c -> store.delete(c, stream, expected, false));
    }

    /** As {@link PostgresEventStore#tombstoneStream}, telling the projections in the same transaction. */
    @Override
    public long tombstoneStream(StreamId stream, ExpectedVersion expected) {
        return removal("tombstone stream '" + stream + "'", c -> store.delete(c, stream, expected, true));
    }

    /** As {@link PostgresEventStore#truncateBefore}, telling the projections in the same transaction. */
    @Override
    public long truncateBefore(StreamId stream, long version) {
        return removal("truncate stream '" + stream + "'", c -> store.truncate(c, stream, version));
    }

    @Override
    public boolean isTombstoned(StreamId stream) {
        return store.isTombstoned(stream);
    }

    private long removal(String what, TransactionWork<Long> remove) {
        return transaction(what, c -> {
            long removed = remove.run(c);
            if (removed > 0) {
                projections.apply(c, store.noticesOfTransaction(c));
            }
            return removed;
        }, removed -> removed == 0);
    }

    /**
     * This store as seen from inside the caller's transaction, as {@link PostgresEventStore#boundTo}: appends
     * through the view also run the inline projections in that transaction.
     */
    public EventStore boundTo(Connection connection) {
        return new PostgresBoundStore(store, connection, this::append);
    }

    @Override
    public String toString() {
        return "PostgresProjectingEventStore[" + store + ", " + projections.projections().stream()
                .map(Projection::name).toList() + "]";
    }
}
