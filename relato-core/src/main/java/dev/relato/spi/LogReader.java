package dev.relato.spi;

import dev.relato.EventFilter;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A backend's primitive for reading the global log one page at a time. {@link #stream(GlobalRead)} turns
 * it into the lazy stream {@link dev.relato.EventStore#readAll(GlobalRead)} returns, and
 * {@link PollingSubscription} builds subscriptions on it.
 */
@FunctionalInterface
public interface LogReader {

    /**
     * Up to {@code max} events matching {@code filter} with positions above {@code afterPosition}, rising.
     * Must return only events that no in-flight write can precede: everything below the last returned
     * position is final. An empty page means nothing more is visible now.
     */
    List<RecordedEvent> readPage(long afterPosition, EventFilter filter, int max);

    /** A lazy stream over pages of {@code read.batchSize()} events. */
    default Stream<RecordedEvent> stream(GlobalRead read) {
        Iterator<RecordedEvent> it = new Iterator<>() {
            private final ArrayDeque<RecordedEvent> page = new ArrayDeque<>();
            private long after = read.afterPosition();
            private long remaining = read.limit();
            private boolean exhausted;

            @Override
            public boolean hasNext() {
                if (remaining <= 0) {
                    return false;
                }
                if (page.isEmpty() && !exhausted) {
                    int max = (int) Math.min(read.batchSize(), remaining);
                    List<RecordedEvent> next = readPage(after, read.filter(), max);
                    page.addAll(next);
                    exhausted = next.size() < max;
                    if (!next.isEmpty()) {
                        after = next.get(next.size() - 1).position();
                    }
                }
                return !page.isEmpty();
            }

            @Override
            public RecordedEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                remaining--;
                return page.removeFirst();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE), false);
    }
}
