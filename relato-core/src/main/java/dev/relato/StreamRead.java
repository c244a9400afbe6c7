package dev.relato;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What part of one stream to read. Immutable and thread-safe; the {@code with…}-style methods return new
 * instances, so a read reads like {@code StreamRead.backwards().limit(10)}.
 *
 * <p>Forwards, the read starts at version {@code from} (default 1) and returns events with versions
 * {@code from ≤ v ≤ to}, rising. Backwards, it starts at {@code from} (default: the last event) and
 * returns versions {@code to ≤ v ≤ from}, falling; {@code to} defaults to 1. At most {@code limit}
 * events are returned. With {@link #asOf(Instant)} only events recorded at or before that instant are
 * returned: the stream as it stood then.
 *
 * @param direction forwards or backwards
 * @param from      first version to return (inclusive); {@link Long#MAX_VALUE} backwards means "from the end"
 * @param to        last version to return (inclusive)
 * @param limit     the most events to return, 1 or more
 * @param asOf      only events recorded at or before this instant, if present
 */
public record StreamRead(Direction direction, long from, long to, int limit, Optional<Instant> asOf) {
    public StreamRead {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(asOf, "asOf");
        if (from < 1 || to < 1) {
            throw new IllegalArgumentException("stream versions start at 1; got from=" + from + ", to=" + to);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be 1 or more, got " + limit);
        }
    }

    /** The whole stream, oldest first. */
    public static StreamRead forwards() {
        return new StreamRead(Direction.FORWARDS, 1, Long.MAX_VALUE, Integer.MAX_VALUE, Optional.empty());
    }

    /** The whole stream, newest first. */
    public static StreamRead backwards() {
        return new StreamRead(Direction.BACKWARDS, Long.MAX_VALUE, 1, Integer.MAX_VALUE, Optional.empty());
    }

    /** Start at this version (inclusive). */
    public StreamRead from(long version) {
        return new StreamRead(direction, version, to, limit, asOf);
    }

    /** Stop at this version (inclusive): the stream as of a version, read forwards. */
    public StreamRead to(long version) {
        return new StreamRead(direction, from, version, limit, asOf);
    }

    public StreamRead limit(int maxEvents) {
        return new StreamRead(direction, from, to, maxEvents, asOf);
    }

    /** Only events recorded at or before {@code instant}. */
    public StreamRead asOf(Instant instant) {
        return new StreamRead(direction, from, to, limit, Optional.of(instant));
    }

    /** The lowest version this read can return. */
    public long lowestVersion() {
        return direction == Direction.FORWARDS ? from : to;
    }

    /** The highest version this read can return. */
    public long highestVersion() {
        return direction == Direction.FORWARDS ? to : from;
    }
}
