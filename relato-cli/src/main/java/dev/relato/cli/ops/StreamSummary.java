package dev.relato.cli.ops;

import dev.relato.StreamId;
import java.time.Instant;

/**
 * One stream as listed: its name, the position and time of its first event, and its version now.
 *
 * @param stream          the stream
 * @param createdPosition the global position of its first event: the cursor for the next page
 * @param createdAt       when its first event was recorded
 * @param version         its version now (its number of events)
 */
public record StreamSummary(StreamId stream, long createdPosition, Instant createdAt, long version) {
}
