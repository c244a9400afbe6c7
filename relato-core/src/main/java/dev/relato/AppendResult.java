package dev.relato;

import java.util.List;
import java.util.Objects;

/**
 * What an append wrote: where, and the recorded events themselves (so an inline read model can be updated
 * without reading them back). Immutable and thread-safe.
 *
 * @param stream        the stream appended to
 * @param firstVersion  stream version of the first event of the append
 * @param lastVersion   stream version of the last event: the stream's version right after the append,
 *                      to pass as {@link ExpectedVersion#exactly(long)} to the next append
 * @param firstPosition global position of the first event
 * @param lastPosition  global position of the last event
 * @param retried       true if every event was already stored at this place (an idempotent retry) and
 *                      nothing was written
 * @param events        the events as recorded, in stream order: versions, positions and times; for a retry,
 *                      as they were stored the first time
 */
public record AppendResult(StreamId stream, long firstVersion, long lastVersion, long firstPosition,
                           long lastPosition, boolean retried, List<RecordedEvent> events) {
    public AppendResult {
        Objects.requireNonNull(stream, "stream");
        events = List.copyOf(events);
        if (events.isEmpty() || events.size() != lastVersion - firstVersion + 1) {
            throw new IllegalArgumentException("an append result lists every event of versions " + firstVersion
                    + " to " + lastVersion + ", got " + events.size());
        }
    }

    /** The result of an append that recorded {@code events} (in stream order). */
    public static AppendResult of(List<RecordedEvent> events, boolean retried) {
        RecordedEvent first = events.get(0);
        RecordedEvent last = events.get(events.size() - 1);
        return new AppendResult(first.streamId(), first.streamVersion(), last.streamVersion(), first.position(),
                last.position(), retried, events);
    }
}
