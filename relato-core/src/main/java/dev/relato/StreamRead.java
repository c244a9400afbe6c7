package dev.relato;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
 * <p>Times are compared at microsecond precision, the precision every store records
 * ({@link RecordedEvent#recordedAt()}): an {@code asOf} instant is truncated to microseconds.
 */
public final class StreamRead {
    private static final StreamRead FORWARDS =
            new StreamRead(Direction.FORWARDS, 1, Long.MAX_VALUE, Integer.MAX_VALUE, null);
    private static final StreamRead BACKWARDS =
            new StreamRead(Direction.BACKWARDS, Long.MAX_VALUE, 1, Integer.MAX_VALUE, null);

    private final Direction direction;
    private final long from;
    private final long to;
    private final int limit;
    private final @Nullable Instant asOf;

    private StreamRead(Direction direction, long from, long to, int limit, @Nullable Instant asOf) {
        this.direction = Objects.requireNonNull(direction, "direction");
        if (from < 1 || to < 1) {
            throw new IllegalArgumentException("stream versions start at 1; got from=" + from + ", to=" + to);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be 1 or more, got " + limit);
        }
        this.from = from;
        this.to = to;
        this.limit = limit;
        this.asOf = asOf == null ? null : asOf.truncatedTo(ChronoUnit.MICROS);
    }

    /** The whole stream, oldest first. */
    public static StreamRead forwards() {
        return FORWARDS;
    }

    /** The whole stream, newest first. */
    public static StreamRead backwards() {
        return BACKWARDS;
    }

    /** Forwards or backwards. */
    public Direction direction() {
        return direction;
    }

    /** First version to return (inclusive); {@link Long#MAX_VALUE} backwards means "from the end". */
    public long from() {
        return from;
    }

    /** Last version to return (inclusive). */
    public long to() {
        return to;
    }

    /** The most events to return, 1 or more. */
    public int limit() {
        return limit;
    }

    /** Only events recorded at or before this instant (microsecond precision), if present. */
    public Optional<Instant> asOf() {
        return Optional.ofNullable(asOf);
    }

    /** Start at this version (inclusive). */
    public StreamRead from(long version) {
        return new StreamRead(direction, version, to, limit, asOf);
    }

    /** Stop at this version (inclusive): the stream as of a version, read forwards. */
    public StreamRead to(long version) {
        return new StreamRead(direction, from, version, limit, asOf);
    }

    /** At most this many events. */
    public StreamRead limit(int maxEvents) {
        return new StreamRead(direction, from, to, maxEvents, asOf);
    }

    /** Only events recorded at or before {@code instant} (truncated to microseconds). */
    public StreamRead asOf(Instant instant) {
        return new StreamRead(direction, from, to, limit, Objects.requireNonNull(instant, "instant"));
    }

    /** The lowest version this read can return. */
    public long lowestVersion() {
        return direction == Direction.FORWARDS ? from : to;
    }

    /** The highest version this read can return. */
    public long highestVersion() {
        return direction == Direction.FORWARDS ? to : from;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof StreamRead r && direction == r.direction && from == r.from && to == r.to
                && limit == r.limit && Objects.equals(asOf, r.asOf);
    }

    @Override
    public int hashCode() {
        return Objects.hash(direction, from, to, limit, asOf);
    }

    @Override
    public String toString() {
        return "StreamRead[" + direction + ", from=" + from + ", to=" + to + ", limit=" + limit
                + (asOf == null ? "" : ", asOf=" + asOf) + "]";
    }
}
