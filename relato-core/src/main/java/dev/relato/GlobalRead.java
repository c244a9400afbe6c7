package dev.relato;

import java.util.Objects;

/**
 * What part of the global log to read: events after a position (exclusive), matching a filter, fetched
 * from the store in batches of {@code batchSize}, at most {@code limit} in all. Immutable and thread-safe.
 *
 * <p>Positions are exclusive so that a checkpoint (the last position handled) can be passed as is:
 * {@code GlobalRead.after(checkpoint)}. {@code after(0)} reads from the start.
 *
 * @param afterPosition only events with a greater position
 * @param filter        which events
 * @param batchSize     how many events the store fetches at a time (memory use), 1 to 100,000
 * @param limit         the most events to return in all
 */
public record GlobalRead(long afterPosition, EventFilter filter, int batchSize, long limit) {
    public static final int DEFAULT_BATCH_SIZE = 1000;

    public GlobalRead {
        Objects.requireNonNull(filter, "filter");
        if (afterPosition < 0) {
            throw new IllegalArgumentException("position must be 0 or more, got " + afterPosition);
        }
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("batch size must be 1 to 100000, got " + batchSize);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be 1 or more, got " + limit);
        }
    }

    /** The whole log from the start. */
    public static GlobalRead fromStart() {
        return after(0);
    }

    /** Every event after {@code position}. */
    public static GlobalRead after(long position) {
        return new GlobalRead(position, EventFilter.all(), DEFAULT_BATCH_SIZE, Long.MAX_VALUE);
    }

    public GlobalRead filter(EventFilter newFilter) {
        return new GlobalRead(afterPosition, newFilter, batchSize, limit);
    }

    public GlobalRead batchSize(int size) {
        return new GlobalRead(afterPosition, filter, size, limit);
    }

    public GlobalRead limit(long maxEvents) {
        return new GlobalRead(afterPosition, filter, batchSize, maxEvents);
    }
}
