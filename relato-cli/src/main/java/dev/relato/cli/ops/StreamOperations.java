package dev.relato.cli.ops;

import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.GlobalRead;
import dev.relato.InvalidInputException;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Streams: list them (by category and id prefix, paged) and read one (ranges, backwards, as of an instant).
 * Every read is lazy: a stream is fetched a page at a time and the listing scans the global log in batches, so
 * memory stays flat however long the log or the stream. Thread-safe.
 */
public final class StreamOperations {
    /** Events fetched from a stream at a time. */
    public static final int PAGE = 500;

    private final EventStore store;

    public StreamOperations(EventStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Streams in the order they were created (the position of their first event), after {@code afterPosition}.
     * The store has no index of streams on every backend, so this scans the global log for first events: one
     * pass, in batches. Close the returned stream if it is not consumed to the end.
     *
     * @param category only streams of this category, if present
     * @param idPrefix only streams whose id starts with this, if present
     * @param afterPosition only streams created after this position (the previous page's last cursor); 0 for all
     * @param limit    at most this many
     */
    public Stream<StreamSummary> list(Optional<String> category, Optional<String> idPrefix, long afterPosition,
                                      long limit) {
        if (limit < 1) {
            throw new UsageException("limit must be 1 or more, got " + limit);
        }
        if (afterPosition < 0) {
            throw new UsageException("position must be 0 or more, got " + afterPosition);
        }
        EventFilter filter = category.map(c -> new EventFilter(Set.of(checkCategory(c)), Set.of()))
                .orElse(EventFilter.all());
        String prefix = idPrefix.map(p -> p.isEmpty() ? p : Inputs.requireText(p, "stream id prefix", StreamId.MAX_ID_LENGTH))
                .orElse("");
        return store.readAll(GlobalRead.after(afterPosition).filter(filter))
                .filter(e -> e.streamVersion() == 1 && e.streamId().id().startsWith(prefix))
                .limit(limit)
                .map(e -> new StreamSummary(e.streamId(), e.position(), e.recordedAt(), store.streamVersion(e.streamId())));
    }

    /**
     * The events of one stream, as {@code read} describes them, fetched {@value #PAGE} at a time.
     *
     * @throws OperationException if the stream does not exist
     */
    public Stream<RecordedEvent> read(StreamId stream, StreamRead read) {
        long version = store.streamVersion(stream);
        if (version == 0) {
            throw new OperationException("no stream '" + stream.category() + "-" + Inputs.preview(stream.id()) + "'");
        }
        return Paging.stream(stream, read, store);
    }

    /** The stream's version now; 0 if it does not exist. */
    public long version(StreamId stream) {
        return store.streamVersion(stream);
    }

    /** The events of a stream as one list, for a page of the console. */
    public List<RecordedEvent> page(StreamId stream, StreamRead read) {
        try (Stream<RecordedEvent> events = read(stream, read)) {
            return events.toList();
        }
    }

    static String checkCategory(String category) {
        Inputs.requireText(category, "category", StreamId.MAX_CATEGORY_LENGTH);
        try {
            return StreamId.validateCategory(category);
        } catch (IllegalArgumentException | InvalidInputException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
