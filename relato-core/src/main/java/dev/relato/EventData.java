package dev.relato;

import dev.relato.internal.JsonLimits;
import dev.relato.internal.RandomIds;
import dev.relato.internal.Text;
import dev.relato.internal.Trusted;
import dev.relato.spi.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One event as it is handed to {@link EventStore#append}: not yet stored, so it has no stream version,
 * position or recorded time. Usually produced by {@link dev.relato.serialization.EventSerializer} from an
 * event object. Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #eventId()}: unique id of the event; appending the same id again at the same place is an
 *       idempotent retry;</li>
 *   <li>{@link #type()}: stable type name ({@code OrderPlaced}), 1 to {@value #MAX_TYPE_LENGTH} printable
 *       characters;</li>
 *   <li>{@link #schemaVersion()}: version of the payload's shape, 1 or more;</li>
 *   <li>{@link #payload()}: the event's data as one well-formed JSON value (usually an object), within the
 *       limits every reader enforces (nesting depth 1000, numbers of at most 1000 characters, no unpaired
 *       UTF-16 surrogate, no {@code \u0000});</li>
 *   <li>{@link #metadata()}: correlation, causation and free entries;</li>
 *   <li>{@link #occurredAt()}: when the event happened, if the caller knows better than the store (a
 *       {@code CreatedAt} or {@code OccurredAt} of the domain); kept at microsecond precision. The store also
 *       records when it stored the event ({@link RecordedEvent#recordedAt()}).</li>
 * </ul>
 *
 * <p>The constructor and factories throw {@link InvalidEventException} if a field is invalid; the message says
 * which and why.
 */
public final class EventData {
    /** The longest event type name, in characters. */
    public static final int MAX_TYPE_LENGTH = 200;
    /** The earliest occurrence time accepted: the start of year 1 (UTC). */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    /** The latest occurrence time accepted: the end of year 9999 (UTC). */
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    static {
        Trusted.register(EventData::trusted);
    }

    private final UUID eventId;
    private final String type;
    private final int schemaVersion;
    private final String payload;
    private final Metadata metadata;
    private final @Nullable Instant occurredAt;

    /**
     * An event with no occurrence time of its own, its payload checked as JSON.
     *
     * @throws InvalidEventException if a field is invalid
     */
    public EventData(UUID eventId, String type, int schemaVersion, String payload, Metadata metadata) {
        this(eventId, type, schemaVersion, payload, metadata, null, false);
    }

    private EventData(UUID eventId, String type, int schemaVersion, String payload, Metadata metadata,
                      @Nullable Instant occurredAt, boolean payloadWrittenByJsonLibrary) {
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
        if (payloadWrittenByJsonLibrary) {
            JsonLimits.check(payload, () -> "payload of event '" + type + "' (" + eventId + ")");
        } else {
            Json.requireWellFormed(payload, () -> "payload of event '" + type + "' (" + eventId + ")");
        }
        this.eventId = eventId;
        this.type = type;
        this.schemaVersion = schemaVersion;
        this.payload = payload;
        this.metadata = Objects.requireNonNull(metadata, "metadata must not be null; use Metadata.empty()");
        this.occurredAt = occurredAt == null ? null : checkOccurredAt(occurredAt, type, eventId);
    }

    /** Made through {@link Trusted} by the serializer for JSON its codec wrote: not parsed again. */
    private static EventData trusted(UUID eventId, String type, int schemaVersion, String payload, Metadata metadata,
                                     @Nullable Instant occurredAt) {
        return new EventData(eventId, type, schemaVersion, payload, metadata, occurredAt, true);
    }

    /** An event with a fresh random id, schema version 1 and no metadata. */
    public static EventData of(String type, String payload) {
        return new EventData(RandomIds.next(), type, 1, payload, Metadata.empty());
    }

    public UUID eventId() {
        return eventId;
    }

    public String type() {
        return type;
    }

    public int schemaVersion() {
        return schemaVersion;
    }

    public String payload() {
        return payload;
    }

    public Metadata metadata() {
        return metadata;
    }

    /** When the event happened, as the caller gave it (microsecond precision); empty if not given. */
    public Optional<Instant> occurredAt() {
        return Optional.ofNullable(occurredAt);
    }

    /** This event with other metadata. Its other fields, checked when it was made, are not checked again. */
    public EventData withMetadata(Metadata newMetadata) {
        return new EventData(this, Objects.requireNonNull(newMetadata, "metadata must not be null; use Metadata.empty()"));
    }

    /** A copy of {@code checked} with {@code metadata}: nothing else to check. */
    private EventData(EventData checked, Metadata metadata) {
        this.eventId = checked.eventId;
        this.type = checked.type;
        this.schemaVersion = checked.schemaVersion;
        this.payload = checked.payload;
        this.metadata = metadata;
        this.occurredAt = checked.occurredAt;
    }

    /**
     * This event with the time it occurred, truncated to microseconds.
     *
     * @throws InvalidEventException if the time is outside years 1 to 9999
     */
    public EventData withOccurredAt(Instant instant) {
        Objects.requireNonNull(instant, "occurrence time must not be null");
        return new EventData(eventId, type, schemaVersion, payload, metadata, instant, true);
    }

    private static Instant checkOccurredAt(Instant instant, String type, UUID eventId) {
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new InvalidEventException("event '" + type + "' (" + eventId + ") occurred at " + instant
                    + ", outside years 1 to 9999 that every store can keep");
        }
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Checks an event type name: 1 to {@value #MAX_TYPE_LENGTH} characters, not blank, no control characters,
     * no unpaired surrogate, and not one of the types reserved for {@link StreamNotice stream notices}.
     *
     * @throws InvalidEventException if it is not a valid type name
     */
    public static void validateType(String type) {
        try {
            Text.requireName(type, "event type", MAX_TYPE_LENGTH);
        } catch (InvalidInputException e) {
            throw new InvalidEventException(e.getMessage());
        }
        if (StreamNotice.Kind.ofType(type).isPresent()) {
            throw new InvalidEventException("event type '" + type + "' is reserved for the notices of removed "
                    + "streams; choose another name");
        }
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof EventData e && eventId.equals(e.eventId) && type.equals(e.type)
                && schemaVersion == e.schemaVersion && payload.equals(e.payload) && metadata.equals(e.metadata)
                && Objects.equals(occurredAt, e.occurredAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, type, schemaVersion, payload, metadata, occurredAt);
    }

    @Override
    public String toString() {
        return "EventData[eventId=" + eventId + ", type=" + type + ", schemaVersion=" + schemaVersion
                + ", payload=" + Text.preview(payload) + ", metadata=" + metadata
                + (occurredAt == null ? "" : ", occurredAt=" + occurredAt) + "]";
    }
}
