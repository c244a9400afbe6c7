package dev.relato.postgres;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.internal.Timeouts;
import dev.relato.spi.LogReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A PostgreSQL store as seen from inside the caller's transaction ({@link PostgresEventStore#boundTo}): every
 * operation runs on the caller's connection, which it never commits, rolls back or closes. Not thread-safe, like
 * the connection.
 */
final class PostgresBoundStore implements EventStore {

    /** How an append through the view is made on the connection (with inline projections, or without). */
    @FunctionalInterface
    interface Appender {
        AppendResult append(Connection tx, StreamId stream, ExpectedVersion expected, List<EventData> events);
    }

    /** A read on the connection. */
    @FunctionalInterface
    private interface Read<T> {
        T on(Connection connection) throws SQLException;
    }

    private final PostgresEventStore store;
    private final Connection connection;
    private final Appender appender;
    private final LogReader log;

    PostgresBoundStore(PostgresEventStore store, Connection connection, Appender appender) {
        this.store = store;
        this.connection = Objects.requireNonNull(connection, "connection must not be null");
        this.appender = appender;
        store.registerKeyWriter(this);
        this.log = (after, filter, max) -> call("reading the log after position " + after,
                c -> store.readPage(c, after, filter, max));
    }

    private <T> T call(String what, Read<T> read) {
        try {
            return read.on(connection);
        } catch (SQLException e) {
            throw store.errors().translate(e, what + " in the caller's transaction");
        }
    }

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        return appender.append(connection, stream, expected, events);
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        return store.read(connection, stream, read);
    }

    /** The log every reader can see: the transaction's own appends appear once it commits. */
    @Override
    public Stream<RecordedEvent> readAll(GlobalRead read) {
        Objects.requireNonNull(read, "read");
        return log.stream(read);
    }

    /** @throws UnsupportedOperationException always: subscribe to the store itself */
    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        throw new UnsupportedOperationException("a store bound to the caller's transaction cannot follow the log; "
                + "subscribe to the PostgreSQL event store itself");
    }

    @Override
    public long streamVersion(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        return call("reading the version of stream '" + stream + "'", c -> store.streamVersion(c, stream));
    }

    @Override
    public long headPosition() {
        return call("reading the head position", store::headPosition);
    }

    /** Returns the head at once: waiting inside a transaction would hold it open. */
    @Override
    public long awaitHead(long afterPosition, Duration timeout) throws InterruptedException {
        Timeouts.checkInterrupt();
        return headPosition();
    }

    @Override
    public int maxEventBytes() {
        return store.maxEventBytes();
    }

    /** Does nothing: the caller owns the connection and its transaction. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "a PostgreSQL event store bound to the caller's transaction";
    }
}
