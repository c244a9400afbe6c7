package dev.relato;

import dev.relato.observe.RelatoObserver;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * An {@link EventStore} that hands every call to another one: the base of decorators that change a few
 * operations (run projections inside appends, count reads, add metadata) and keep the rest. Thread-safe
 * when the delegate is and the subclass's own state is; failures are the delegate's.
 */
public abstract class ForwardingEventStore implements EventStore {
    private final EventStore delegate;

    /**
     * @param delegate the store every call is handed to
     * @throws NullPointerException if {@code delegate} is null
     */
    protected ForwardingEventStore(EventStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "store must not be null");
    }

    /** The store calls are handed to. */
    protected EventStore delegate() {
        return delegate;
    }

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        return delegate.append(stream, expected, events);
    }

    @Override
    public RelatoObserver observer() {
        return delegate.observer();
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        return delegate.read(stream, read);
    }

    @Override
    public Stream<RecordedEvent> readAll(GlobalRead read) {
        return delegate.readAll(read);
    }

    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        return delegate.subscribe(afterPosition, filter, listener);
    }

    @Override
    public long streamVersion(StreamId stream) {
        return delegate.streamVersion(stream);
    }

    @Override
    public long headPosition() {
        return delegate.headPosition();
    }

    @Override
    public long awaitHead(long afterPosition, Duration timeout) throws InterruptedException {
        return delegate.awaitHead(afterPosition, timeout);
    }

    @Override
    public int maxEventBytes() {
        return delegate.maxEventBytes();
    }

    /** Closes the delegate. */
    @Override
    public void close() {
        delegate.close();
    }
}
