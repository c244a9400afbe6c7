package dev.relato;

import java.util.Objects;
import java.util.UUID;

/**
 * A decoded event together with the stored record it came from: the record gives its stream, version,
 * global position (for idempotent handling and checkpoints), metadata and time. Immutable and thread-safe
 * if the event is.
 *
 * @param event  the event object, upcast to its current schema
 * @param record the record as stored (type and schema version before upcasting)
 * @param <E>    the event type
 */
public record Envelope<E>(E event, RecordedEvent record) {
    public Envelope {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(record, "record");
    }

    public UUID eventId() {
        return record.eventId();
    }

    public StreamId streamId() {
        return record.streamId();
    }

    public long streamVersion() {
        return record.streamVersion();
    }

    public long position() {
        return record.position();
    }

    public Metadata metadata() {
        return record.metadata();
    }
}
