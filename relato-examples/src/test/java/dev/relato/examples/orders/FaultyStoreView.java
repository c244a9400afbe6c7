package dev.relato.examples.orders;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.ForwardingEventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The service's view of its store, passing every call through, except that once armed it makes the first
 * stream read after the next successful append fail: the moment a command is stored but not yet answered.
 * Thread-safe.
 */
final class FaultyStoreView {
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicBoolean failNextRead = new AtomicBoolean();

    /** Wraps the service's store; used as {@code OrdersApp.start(settings, view::wrap)}. */
    EventStore wrap(EventStore store) {
        return new ForwardingEventStore(store) {
            @Override
            public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
                AppendResult result = delegate().append(stream, expected, events);
                if (armed.compareAndSet(true, false)) {
                    failNextRead.set(true);
                }
                return result;
            }

            @Override
            public List<RecordedEvent> read(StreamId stream, StreamRead read) {
                if (failNextRead.compareAndSet(true, false)) {
                    throw new IllegalStateException("a read failed right after the append (injected)");
                }
                return delegate().read(stream, read);
            }
        };
    }

    /** Makes the first stream read after the next append fail. */
    void failReadAfterNextAppend() {
        armed.set(true);
    }
}
