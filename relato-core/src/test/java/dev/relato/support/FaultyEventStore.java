package dev.relato.support;

import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ForwardingEventStore;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Wraps a store: makes a number of global reads fail with a chosen exception, and counts global reads, the events
 * they return and subscriptions.
 */
public final class FaultyEventStore extends ForwardingEventStore {
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Supplier<RuntimeException> failure = () -> new IllegalStateException("no failure set");
    private final AtomicInteger globalReads = new AtomicInteger();
    private final AtomicLong eventsRead = new AtomicLong();
    private final AtomicInteger subscriptions = new AtomicInteger();

    public FaultyEventStore(EventStore delegate) {
        super(delegate);
    }

    /** The next {@code times} global reads throw what {@code failure} makes ({@link Integer#MAX_VALUE}: all). */
    public void failReads(int times, Supplier<RuntimeException> failure) {
        this.failure = failure;
        failuresLeft.set(times);
    }

    /** Global reads so far, failed ones included. */
    public int globalReads() {
        return globalReads.get();
    }

    /** Events returned by global reads so far. */
    public long eventsRead() {
        return eventsRead.get();
    }

    public int subscriptions() {
        return subscriptions.get();
    }

    @Override
    public Stream<RecordedEvent> readAll(GlobalRead read) {
        globalReads.incrementAndGet();
        if (failuresLeft.getAndUpdate(n -> n == Integer.MAX_VALUE || n == 0 ? n : n - 1) > 0) {
            throw failure.get();
        }
        return super.readAll(read).peek(e -> eventsRead.incrementAndGet());
    }

    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        subscriptions.incrementAndGet();
        return super.subscribe(afterPosition, filter, listener);
    }
}
