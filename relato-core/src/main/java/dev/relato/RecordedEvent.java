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
 * @param recordedAt    when the store recorded it, at microsecond precision on every store; as-of reads
 *                      ({@link StreamRead#asOf}) compare this time
 * @param occurredAt    when the event happened: the time given at append ({@link EventData#occurredAt()}), or
 *                      the recorded time if none was given
 */
public record RecordedEvent(UUID eventId, StreamId streamId, long streamVersion, long position, String type,
                            int schemaVersion, String payload, Metadata metadata, Instant recordedAt,
                            Instant occurredAt) {
    public RecordedEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(recordedAt, "recordedAt");
        Objects.requireNonNull(occurredAt, "occurredAt");
    }

    /**
     * The record of {@code event} as stored at a place and time.
     *
     * @param recordedAt the store's time, at microsecond precision; also the occurrence time if the event has none
     */
    public static RecordedEvent of(EventData event, StreamId stream, long streamVersion, long position,
                                   Instant recordedAt) {
        return new RecordedEvent(event.eventId(), stream, streamVersion, position, event.type(),
                event.schemaVersion(), event.payload(), event.metadata(), recordedAt,
                event.occurredAt().orElse(recordedAt));
    }
}
