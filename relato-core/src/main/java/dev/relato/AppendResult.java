package dev.relato;

/**
 * What an append wrote. Immutable and thread-safe.
 *
 * @param stream        the stream appended to
 * @param firstVersion  stream version of the first event of the append
 * @param lastVersion   stream version of the last event: the stream's version right after the append,
 *                      to pass as {@link ExpectedVersion#exactly(long)} to the next append
 * @param firstPosition global position of the first event
 * @param lastPosition  global position of the last event
 * @param retried       true if every event was already stored at this place (an idempotent retry) and
 *                      nothing was written
 */
public record AppendResult(StreamId stream, long firstVersion, long lastVersion, long firstPosition,
                           long lastPosition, boolean retried) {
}
