package dev.relato.aggregate;

/**
 * When a repository saves a snapshot of an aggregate after appending to it. Snapshots only shorten
 * loading; they never change results. Implementations must be thread-safe (the built-in ones are
 * immutable).
 */
@FunctionalInterface
public interface SnapshotPolicy {

    /**
     * Whether to snapshot the state after an append that took the stream from {@code versionBefore} to
     * {@code versionAfter}.
     */
    boolean shouldSnapshot(long versionBefore, long versionAfter);

    /** No snapshots. */
    static SnapshotPolicy never() {
        return (before, after) -> false;
    }

    /**
     * A snapshot whenever an append reaches or crosses a multiple of {@code events}: at versions
     * {@code events}, {@code 2 × events} …, so at most {@code events - 1} events are replayed after it.
     *
     * @throws IllegalArgumentException if {@code events} is less than 1
     */
    static SnapshotPolicy everyEvents(int events) {
        if (events < 1) {
            throw new IllegalArgumentException("snapshot interval must be 1 event or more, got " + events);
        }
        return (before, after) -> after / events > before / events;
    }
}
