package dev.relato;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One stored event as read back from an {@link EventStore}. Immutable and thread-safe.
 *
 * @param eventId       the id given at append
 * @param streamId      the stream it belongs to
 * @param streamVersion its number in the stream: 1, 2, 3 … with no gaps
 * @param position      its global position: strictly increasing across the whole store in commit
 *                      order as readers see it (not necessarily contiguous)
 * @param type          stable type name
 * @param schemaVersion schema version as stored (before upcasting)
 * @param payload       the event's data as JSON text
 * @param metadata      correlation, causation and free entries
 * @param recordedAt    when the store recorded it
 */
public record RecordedEvent(UUID eventId, StreamId streamId, long streamVersion, long position, String type,
                            int schemaVersion, String payload, Metadata metadata, Instant recordedAt) {
    public RecordedEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(recordedAt, "recordedAt");
    }
}
