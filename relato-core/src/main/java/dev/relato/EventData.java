package dev.relato;

import dev.relato.spi.Json;
import java.util.Objects;
import java.util.UUID;

/**
 * One event as it is handed to {@link EventStore#append}: not yet stored, so it has no stream version,
 * position or time. Usually produced by {@link dev.relato.serialization.EventSerializer} from an event
 * object. Immutable and thread-safe.
 *
 * @param eventId       unique id of the event; appending the same id again at the same place is an
 *                      idempotent retry
 * @param type          stable type name ({@code OrderPlaced}), 1 to {@value #MAX_TYPE_LENGTH} printable characters
 * @param schemaVersion version of the payload's shape, 1 or more
 * @param payload       the event's data as one well-formed JSON value (usually an object)
 * @param metadata      correlation, causation and free entries
 * @throws InvalidEventException if a field is invalid; the message says which and why
 */
public record EventData(UUID eventId, String type, int schemaVersion, String payload, Metadata metadata) {
    public static final int MAX_TYPE_LENGTH = 200;

    public EventData {
        if (eventId == null) {
            throw new InvalidEventException("event id must not be null");
        }
        validateType(type);
        if (schemaVersion < 1) {
            throw new InvalidEventException("event '" + type + "' has schema version " + schemaVersion
                    + "; schema versions start at 1");
        }
        if (payload == null) {
            throw new InvalidEventException("event '" + type + "' (" + eventId + ") has a null payload; use \"{}\" for no data");
        }
        Json.requireWellFormed(payload, () -> "payload of event '" + type + "' (" + eventId + ")");
        Objects.requireNonNull(metadata, "metadata must not be null; use Metadata.empty()");
    }

    /** An event with a fresh random id, schema version 1 and no metadata. */
    public static EventData of(String type, String payload) {
        return new EventData(UUID.randomUUID(), type, 1, payload, Metadata.empty());
    }

    public EventData withMetadata(Metadata newMetadata) {
        return new EventData(eventId, type, schemaVersion, payload, newMetadata);
    }

    /**
     * Checks an event type name: 1 to {@value #MAX_TYPE_LENGTH} characters, not blank, no control characters.
     *
     * @throws InvalidEventException if it is not a valid type name
     */
    public static void validateType(String type) {
        if (type == null || type.isBlank()) {
            throw new InvalidEventException("event type must not be blank");
        }
        if (type.length() > MAX_TYPE_LENGTH) {
            throw new InvalidEventException("event type '" + type.substring(0, 40) + "…' is " + type.length()
                    + " characters long; the limit is " + MAX_TYPE_LENGTH);
        }
        for (int i = 0; i < type.length(); i++) {
            if (Character.isISOControl(type.charAt(i))) {
                throw new InvalidEventException("event type contains a control character at index " + i);
            }
        }
    }
}
