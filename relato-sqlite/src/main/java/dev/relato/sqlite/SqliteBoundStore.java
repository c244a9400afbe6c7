package dev.relato.sqlite;

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
import dev.relato.spi.AppendedDataKeys;
import dev.relato.spi.LogReader;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A SQLite store as seen from inside one of its transactions ({@link SqliteEventStore#boundTo}): reads and appends
 * run in the transaction. Not thread-safe, like the transaction: used on its thread while its work runs.
 */
final class SqliteBoundStore implements EventStore {

    /** How an append through the view is made in the transaction (with inline projections, or without). */
    @FunctionalInterface
    interface Appender {
        AppendResult append(SqliteTransaction tx, StreamId stream, ExpectedVersion expected, List<EventData> events);
    }

    private final SqliteTransaction tx;
    private final Appender appender;
    private final LogReader log;

    SqliteBoundStore(SqliteTransaction tx, Appender appender) {
        this.tx = tx;
        this.appender = appender;
        this.log = tx::readPage;
        AppendedDataKeys.register(this, tx.store().dataKeys()::is);
    }

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        return appender.append(tx, stream, expected, events);
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        return tx.read(stream, read);
    }

    @Override
    public Stream<RecordedEvent> readAll(GlobalRead read) {
        Objects.requireNonNull(read, "read");
        return log.stream(read);
    }

    /** @throws UnsupportedOperationException always: subscribe to the store itself */
    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        throw new UnsupportedOperationException("a store bound to a transaction cannot follow the log; subscribe to "
                + "the SQLite event store itself");
    }

    @Override
    public long streamVersion(StreamId stream) {
        return tx.streamVersion(stream);
    }

    @Override
    public long headPosition() {
        return tx.headPosition();
    }

    /** Returns the head at once: nothing else can append while the transaction runs. */
    @Override
    public long awaitHead(long afterPosition, Duration timeout) throws InterruptedException {
        Timeouts.checkInterrupt();
        return headPosition();
    }

    @Override
    public int maxEventBytes() {
        return tx.maxEventBytes();
    }

    /** Does nothing: the transaction ends when its work returns. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "a SQLite event store bound to a transaction";
    }
}
