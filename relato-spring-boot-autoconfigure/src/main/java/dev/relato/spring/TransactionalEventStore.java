package dev.relato.spring;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.ForwardingEventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import java.util.List;
import java.util.function.Function;

/**
 * The application's {@link EventStore} bean: appends, stream reads and stream versions go to the store as seen from
 * the Spring-managed transaction in progress on the calling thread, if any, else to the store itself. Everything
 * else (the global log, subscriptions, waits, limits, the observer) goes to the store itself. {@link #close()} does
 * nothing: the context closes the store. Thread-safe.
 */
abstract class TransactionalEventStore extends ForwardingEventStore {

    TransactionalEventStore(EventStore store) {
        super(store);
    }

    /** Runs {@code call} on the store bound to the current transaction, or on the store itself outside one. */
    abstract <T> T inCurrent(Function<EventStore, T> call);

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        return inCurrent(s -> s.append(stream, expected, events));
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        return inCurrent(s -> s.read(stream, read));
    }

    @Override
    public long streamVersion(StreamId stream) {
        return inCurrent(s -> s.streamVersion(stream));
    }

    @Override
    public void close() {
        // the context closes the store bean itself
    }

    @Override
    public String toString() {
        return "TransactionalEventStore[" + delegate() + "]";
    }
}
