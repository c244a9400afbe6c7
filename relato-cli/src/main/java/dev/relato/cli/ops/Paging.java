package dev.relato.cli.ops;

import dev.relato.Direction;
import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Reads one stream a page at a time, so that a long stream never sits in memory whole. */
final class Paging extends Spliterators.AbstractSpliterator<RecordedEvent> {
    private final StreamId stream;
    private final StreamRead read;
    private final EventStore store;
    private long next;
    private long left;
    private Iterator<RecordedEvent> page = List.<RecordedEvent>of().iterator();
    private boolean done;

    private Paging(StreamId stream, StreamRead read, EventStore store) {
        super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
        this.stream = stream;
        this.read = read;
        this.store = store;
        this.next = read.from();
        this.left = read.limit();
    }

    static Stream<RecordedEvent> stream(StreamId stream, StreamRead read, EventStore store) {
        return StreamSupport.stream(new Paging(stream, read, store), false);
    }

    @Override
    public boolean tryAdvance(Consumer<? super RecordedEvent> action) {
        if (!page.hasNext()) {
            if (done || left <= 0) {
                return false;
            }
            int size = (int) Math.min(StreamOperations.PAGE, left);
            List<RecordedEvent> events = store.read(stream, read.from(next).limit(size));
            if (events.size() < size) {
                done = true;
            }
            if (events.isEmpty()) {
                return false;
            }
            long last = events.get(events.size() - 1).streamVersion();
            if (read.direction() == Direction.FORWARDS) {
                next = last + 1;
                done |= last >= read.to();
            } else {
                next = last - 1;
                done |= last <= read.to() || next < 1;
            }
            page = events.iterator();
        }
        RecordedEvent event = page.next();
        left--;
        action.accept(event);
        return true;
    }
}
