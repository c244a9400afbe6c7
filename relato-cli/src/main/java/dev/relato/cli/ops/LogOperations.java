package dev.relato.cli.ops;

import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.GlobalRead;
import dev.relato.InvalidInputException;
import dev.relato.RecordedEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The global log: read it from a position, show its last events, follow it as events are appended. Reads are
 * lazy (batches of {@link GlobalRead#DEFAULT_BATCH_SIZE}), so memory stays flat however long the log. Thread-safe.
 */
public final class LogOperations {
    private static final Duration WAIT = Duration.ofMillis(500);

    private final EventStore store;

    public LogOperations(EventStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** The filter of these categories and types (empty sets: any), checked. */
    public static EventFilter filter(Set<String> categories, Set<String> types) {
        Set<String> checkedCategories = categories.stream().map(StreamOperations::checkCategory).collect(Collectors.toSet());
        Set<String> checkedTypes = types.stream().map(t -> Inputs.requireText(t, "event type", 256))
                .collect(Collectors.toSet());
        try {
            return new EventFilter(checkedCategories, checkedTypes);
        } catch (IllegalArgumentException | InvalidInputException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Matching events after {@code afterPosition}, at most {@code limit}, lazily. Close the stream if not consumed. */
    public Stream<RecordedEvent> read(long afterPosition, EventFilter filter, long limit) {
        if (afterPosition < 0) {
            throw new UsageException("position must be 0 or more, got " + afterPosition);
        }
        if (limit < 1) {
            throw new UsageException("limit must be 1 or more, got " + limit);
        }
        return store.readAll(GlobalRead.after(afterPosition).filter(filter).limit(limit));
    }

    /**
     * The last {@code count} matching events, oldest first. The log is read forwards (no backend reads it
     * backwards), keeping only {@code count} events in memory.
     */
    public Deque<RecordedEvent> last(EventFilter filter, int count) {
        if (count < 1 || count > 10_000) {
            throw new UsageException("the number of last events must be 1 to 10000, got " + count);
        }
        Deque<RecordedEvent> last = new ArrayDeque<>(count);
        try (Stream<RecordedEvent> events = store.readAll(GlobalRead.fromStart().filter(filter))) {
            events.forEach(e -> {
                if (last.size() == count) {
                    last.removeFirst();
                }
                last.addLast(e);
            });
        }
        return last;
    }

    /**
     * Hands every matching event after {@code afterPosition} to {@code sink}, then waits for new ones and hands
     * them over too, until {@code stop} says so (it is asked between batches and at least every half second).
     *
     * @return the position followed up to
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    public long follow(long afterPosition, EventFilter filter, Consumer<RecordedEvent> sink, BooleanSupplier stop)
            throws InterruptedException {
        long after = afterPosition;
        while (!stop.getAsBoolean()) {
            long head = store.headPosition();
            long last = after;
            boolean whole = true;
            try (Stream<RecordedEvent> events = store.readAll(GlobalRead.after(after).filter(filter))) {
                var iterator = events.iterator();
                while (iterator.hasNext()) {
                    if (stop.getAsBoolean()) {
                        whole = false;
                        break;
                    }
                    RecordedEvent event = iterator.next();
                    sink.accept(event);
                    last = event.position();
                }
            }
            // a whole read saw every event up to the head taken before it, matching or not
            after = whole ? Math.max(last, head) : last;
            if (!stop.getAsBoolean()) {
                store.awaitHead(after, WAIT);
            }
        }
        return after;
    }

    /** The head of the log. */
    public long head() {
        return store.headPosition();
    }
}
