package dev.relato.spring;

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
import dev.relato.observe.RelatoObserver;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The application's {@link EventStore} bean: each call goes to the store as seen from the Spring-managed transaction
 * in progress on the calling thread, if any, else to the store itself. Subscriptions and waits always use the store
 * itself. {@link #close()} does nothing: the context closes the store. Thread-safe.
 */
abstract class TransactionalEventStore implements EventStore {
    private final EventStore store;

    TransactionalEventStore(EventStore store) {
        this.store = store;
    }

    /** Runs {@code call} on the store bound to the current transaction, or on {@code store} outside one. */
    abstract <T> T inCurrent(Function<EventStore, T> call);

    /** The store's observer, so that the repositories built on this bean report to it too. */
    @Override
    public RelatoObserver observer() {
        return store.observer();
    }

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        return inCurrent(s -> s.append(stream, expected, events));
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        return inCurrent(s -> s.read(stream, read));
    }

    @Override
    public Stream<RecordedEvent> readAll(GlobalRead read) {
        return store.readAll(read);
    }

    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        return store.subscribe(afterPosition, filter, listener);
    }

    @Override
    public long streamVersion(StreamId stream) {
        return inCurrent(s -> s.streamVersion(stream));
    }

    @Override
    public long headPosition() {
        return store.headPosition();
    }

    @Override
    public long awaitHead(long afterPosition, Duration timeout) throws InterruptedException {
        return store.awaitHead(afterPosition, timeout);
    }

    @Override
    public int maxEventBytes() {
        return store.maxEventBytes();
    }

    @Override
    public void close() {
        // the context closes the store bean itself
    }

    @Override
    public String toString() {
        return "TransactionalEventStore[" + store + "]";
    }
}
