package dev.relato.support;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.ForwardingEventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Wraps a store, counting the events stream reads return and the appends made, and optionally running an
 * action before each append (to simulate a concurrent writer).
 */
public final class CountingEventStore extends ForwardingEventStore {
    private final AtomicLong eventsRead = new AtomicLong();
    private final AtomicLong appends = new AtomicLong();
    private volatile Consumer<StreamId> beforeAppend = stream -> { };
    private volatile StreamRead lastRead;

    public CountingEventStore(EventStore delegate) {
        super(delegate);
    }

    public long eventsRead() {
        return eventsRead.get();
    }

    public long appends() {
        return appends.get();
    }

    public StreamRead lastRead() {
        return lastRead;
    }

    public void resetCounts() {
        eventsRead.set(0);
        appends.set(0);
    }

    public void beforeAppend(Consumer<StreamId> action) {
        this.beforeAppend = action;
    }

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        beforeAppend.accept(stream);
        appends.incrementAndGet();
        return super.append(stream, expected, events);
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        lastRead = read;
        List<RecordedEvent> events = super.read(stream, read);
        eventsRead.addAndGet(events.size());
        return events;
    }
}
