package dev.relato.sqlite;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.ForwardingEventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamNotice;
import dev.relato.StreamOperations;
import dev.relato.StreamRead;
import dev.relato.projection.InlineProjections;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionException;
import dev.relato.serialization.EventSerializer;
import dev.relato.spi.AppendedDataKeys;
import dev.relato.spi.Observed;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;

/**
 * A {@link SqliteEventStore} that runs inline projections: every append through it also runs the registered
 * {@link Projection}s, in the same SQLite write transaction, on the transaction's {@link Connection}. The
 * events and the read-model changes commit together; if a handler throws, the append is rolled back and fails
 * with {@link ProjectionException}, and neither the events nor any read-model change is stored.
 *
 * <pre>{@code
 * SqliteEventStore sqlite = SqliteEventStore.open(Path.of("orders.db"));
 * EventStore store = sqlite.projecting(serializer, List.of(orderTotals));
 * store.append(stream, ExpectedVersion.noStream(), events);   // order_totals updated in the same transaction
 * }</pre>
 *
 * <p>Appends whose event types no projection handles go straight to the store (with its group commit). An
 * idempotent retry ({@link AppendResult#retried()}) runs no projection: the original append did. Reads and
 * subscriptions are the store's. Appends that bypass this object (straight to the {@link SqliteEventStore}, or
 * from another process) do not run the projections.
 *
 * <p>Streams are deleted, tombstoned and truncated through it as through the store ({@link StreamOperations}); the
 * notice of the removal ({@link StreamNotice}) goes to the projections with notice handlers in the removal's own
 * transaction, so a read model drops a stream's rows in the transaction that deletes its events.
 *
 * <p>Thread-safe. {@link #close()} closes the underlying store. Failures: as {@link SqliteEventStore}, plus
 * {@link ProjectionException} from a failing handler.
 */
public final class SqliteProjectingEventStore extends ForwardingEventStore implements StreamOperations {
    private final SqliteEventStore store;
    private final InlineProjections<Connection> projections;

    private SqliteProjectingEventStore(SqliteEventStore store, InlineProjections<Connection> projections) {
        super(store);
        this.store = store;
        this.projections = projections;
        AppendedDataKeys.register(this, store.dataKeys()::is);
    }

    /**
     * Runs {@code projections} inline with every append through the returned store.
     *
     * @throws IllegalArgumentException if two projections share a name or one handles a class the serializer does
     *                                  not know
     */
    public static SqliteProjectingEventStore of(SqliteEventStore store, EventSerializer serializer,
                                                List<Projection<Connection>> projections) {
        return new SqliteProjectingEventStore(store, InlineProjections.of(serializer, projections));
    }

    /** The underlying store. */
    public SqliteEventStore store() {
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
        return Observed.append(store.observer(), SqliteEventStore.STORE, stream, events,
                carried -> store.callInTransaction(tx -> append(tx, stream, expected, carried)));
    }

    /**
     * Appends inside the caller's transaction and runs the projections in it: everything commits when the
     * transaction's work returns.
     *
     * @throws ProjectionException if a handler failed; the caller's work should let it propagate so that the
     *                             transaction rolls back
     */
    public AppendResult append(SqliteTransaction tx, StreamId stream, ExpectedVersion expected, List<EventData> events) {
        Objects.requireNonNull(tx, "transaction must not be null");
        AppendResult result = tx.append(stream, expected, events);
        if (!result.retried() && projections.concerns(stream, events)) {
            List<RecordedEvent> records = tx.read(stream, StreamRead.forwards().from(result.firstVersion())
                    .to(result.lastVersion()));
            projections.apply(tx.connection(), records);
        }
        return result;
    }

    /**
     * This store as seen from inside {@code tx}, as {@link SqliteEventStore#boundTo}: appends through the view also
     * run the inline projections in the transaction.
     *
     * @throws IllegalArgumentException if the transaction belongs to another store
     * @throws IllegalStateException    if the transaction has ended
     */
    public EventStore boundTo(SqliteTransaction tx) {
        Objects.requireNonNull(tx, "transaction must not be null");
        tx.session(store.database());
        return new SqliteBoundStore(tx, this::append);
    }

    /** As {@link SqliteEventStore#deleteStream}, telling the projections in the same transaction. */
    @Override
    public long deleteStream(StreamId stream, ExpectedVersion expected) {
        return store.callInTransaction(tx -> told(tx, store.delete(session(tx), stream, expected, false)));
    }

    /** As {@link SqliteEventStore#tombstoneStream}, telling the projections in the same transaction. */
    @Override
    public long tombstoneStream(StreamId stream, ExpectedVersion expected) {
        return store.callInTransaction(tx -> told(tx, store.delete(session(tx), stream, expected, true)));
    }

    /** As {@link SqliteEventStore#truncateBefore}, telling the projections in the same transaction. */
    @Override
    public long truncateBefore(StreamId stream, long version) {
        return store.callInTransaction(tx -> told(tx, store.truncate(session(tx), stream, version)));
    }

    @Override
    public boolean isTombstoned(StreamId stream) {
        return store.isTombstoned(stream);
    }

    private SqliteSession session(SqliteTransaction tx) {
        return tx.session(store.database());
    }

    private long told(SqliteTransaction tx, SqliteEventStore.Removal removal) {
        removal.notice().ifPresent(notice -> projections.apply(tx.connection(), List.of(notice)));
        return removal.removed();
    }

    @Override
    public String toString() {
        return "SqliteProjectingEventStore[" + store + ", " + projections.projections().stream().map(Projection::name)
                .toList() + "]";
    }
}
