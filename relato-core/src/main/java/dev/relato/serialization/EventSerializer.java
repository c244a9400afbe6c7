package dev.relato.serialization;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relato.Envelope;
import dev.relato.EventData;
import dev.relato.EventDecodingException;
import dev.relato.InvalidEventException;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.internal.RandomIds;
import dev.relato.internal.Trusted;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns event objects into {@link EventData} to append, and stored {@link RecordedEvent}s back into
 * objects, through an {@link EventTypes} registry, an {@link EventCodec} and the {@link Upcaster}s that
 * bring old schema versions up to date on every read. Immutable and thread-safe: build one per
 * application and share it.
 *
 * <p>Reading an event stored at its type's current version, with no upcaster for it, decodes the payload
 * text directly (no intermediate JSON tree). Otherwise the payload is parsed into a tree, passed through
 * the chain of upcasters from its stored (type, version) until no upcaster applies, and the result must be
 * a registered type at its current version.
 *
 * <p>Failures: {@link #serialize} throws {@link InvalidEventException} for an unregistered class or a value
 * the codec cannot write; {@link #deserialize} throws {@link EventDecodingException}, naming the stream,
 * version, position and type, for an unknown type, a schema version no chain of upcasters brings to the
 * registered one, a failing upcaster or a payload that does not match the class.
 */
public final class EventSerializer {
    private final EventTypes types;
    private final EventCodec codec;
    private final boolean codecWritesWellFormedJson;
    private final Map<Key, Upcaster> upcasters;
    private final List<OccurrenceTime<?>> occurrenceTimes;

    private EventSerializer(EventTypes types, EventCodec codec, Map<Key, Upcaster> upcasters,
                            List<OccurrenceTime<?>> occurrenceTimes) {
        this.types = types;
        this.codec = codec;
        this.codecWritesWellFormedJson = codec instanceof JacksonEventCodec;
        this.upcasters = Map.copyOf(upcasters);
        this.occurrenceTimes = List.copyOf(occurrenceTimes);
    }

    /** A serializer with the default {@link JacksonEventCodec} and no upcasters. */
    public static EventSerializer of(EventTypes types) {
        return builder(types).build();
    }

    public static Builder builder(EventTypes types) {
        return new Builder(types);
    }

    public EventTypes types() {
        return types;
    }

    public EventCodec codec() {
        return codec;
    }

    /** The event with a fresh random id and no metadata. */
    public EventData serialize(Object event) {
        return serialize(event, Metadata.empty(), RandomIds.next());
    }

    /** The event with a fresh random id. */
    public EventData serialize(Object event, Metadata metadata) {
        return serialize(event, metadata, RandomIds.next());
    }

    /**
     * The event under its registered type name and current schema version.
     *
     * @param eventId the id to store it under: pass a stable id (for example derived from a command id) to
     *                make a retried append idempotent
     * @throws InvalidEventException if the event's class is not registered or the codec cannot write it
     */
    public EventData serialize(Object event, Metadata metadata, UUID eventId) {
        Objects.requireNonNull(event, "event must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null; use Metadata.empty()");
        Objects.requireNonNull(eventId, "event id must not be null");
        RegisteredType type = types.find(event.getClass()).orElseThrow(() -> new InvalidEventException(
                "event class " + event.getClass().getName() + " is not registered in EventTypes; register it (or its"
                        + " sealed interface with registerSealed) before appending it"));
        String payload;
        try {
            payload = codec.encode(event);
        } catch (RuntimeException e) {
            throw new InvalidEventException("event " + type.name() + " (" + event.getClass().getName()
                    + ") could not be serialized: " + e.getMessage(), e);
        }
        Instant occurredAt = occurredAt(event);
        if (codecWritesWellFormedJson) {
            return Trusted.eventData(eventId, type.name(), type.version(), payload, metadata, occurredAt);
        }
        EventData data = new EventData(eventId, type.name(), type.version(), payload, metadata);
        return occurredAt == null ? data : data.withOccurredAt(occurredAt);
    }

    private Instant occurredAt(Object event) {
        for (OccurrenceTime<?> time : occurrenceTimes) {
            if (time.eventClass().isInstance(event)) {
                return time.of(event);
            }
        }
        return null;
    }

    /** Where the events of one class say when they occurred. */
    private record OccurrenceTime<T>(Class<T> eventClass, Function<? super T, Instant> time) {
        Instant of(Object event) {
            return Objects.requireNonNull(time.apply(eventClass.cast(event)),
                    () -> "the occurrence time of " + event.getClass().getName() + " is null");
        }
    }

    /** Each event as by {@link #serialize(Object, Metadata)}, all with the same metadata. */
    public List<EventData> serializeAll(Collection<?> events, Metadata metadata) {
        return events.stream().map(e -> serialize(e, metadata)).toList();
    }

    /**
     * The stored event as an object of its registered class, upcast to the current schema.
     *
     * @throws EventDecodingException if it cannot be decoded; the message names the record and the reason
     */
    public Object deserialize(RecordedEvent record) {
        Objects.requireNonNull(record, "record must not be null");
        return deserialize(record.type(), record.schemaVersion(), record.payload(), () -> record);
    }

    /**
     * A stored event's payload as an object of its registered class, upcast to the current schema, exactly as
     * {@link #deserialize(RecordedEvent)} decodes the record with this type, schema version and payload. For readers
     * that have these three fields without the rest of the record.
     *
     * @param record the whole stored event, asked for only when decoding fails, to name it in the exception
     * @throws EventDecodingException if it cannot be decoded; the message names the record and the reason
     */
    public Object deserialize(String type, int schemaVersion, String payload, Supplier<RecordedEvent> record) {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(payload, "payload must not be null");
        Objects.requireNonNull(record, "record must not be null");
        RegisteredType current = types.find(type).orElse(null);
        if (current != null && current.version() == schemaVersion) {
            try {
                return codec.decode(payload, current.eventClass());
            } catch (RuntimeException e) {
                throw new EventDecodingException(record.get(), "payload does not match "
                        + current.eventClass().getName() + ": " + e.getMessage(), e);
            }
        }
        String storedType = type;
        int version = schemaVersion;
        JsonNode tree = null;
        for (Upcaster step = upcasters.get(new Key(type, version)); step != null;
             step = upcasters.get(new Key(type, version))) {
            try {
                if (tree == null) {
                    tree = codec.readTree(payload);
                }
                tree = step.upcast(tree);
            } catch (RuntimeException e) {
                throw new EventDecodingException(record.get(), "upcaster " + step + " failed: " + e.getMessage(), e);
            }
            type = step.toType();
            version = step.toVersion();
        }
        RegisteredType target = types.find(type).orElse(null);
        if (target == null) {
            throw new EventDecodingException(record.get(), type.equals(storedType)
                    ? "type '" + type + "' is not registered in EventTypes and no upcaster renames it"
                    : "upcasters turned it into '" + type + "' v" + version + ", which is not registered", null);
        }
        if (target.version() != version) {
            throw new EventDecodingException(record.get(), version < target.version()
                    ? "no upcaster brings '" + type + "' from v" + version + " to its registered v" + target.version()
                    : "'" + type + "' v" + version + " is newer than the registered v" + target.version()
                    + "; this code predates the writer of the event", null);
        }
        try {
            return codec.fromTree(tree, target.eventClass());
        } catch (RuntimeException e) {
            throw new EventDecodingException(record.get(), "upcast payload does not match "
                    + target.eventClass().getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The stored event decoded as by {@link #deserialize(RecordedEvent)}, with its record.
     *
     * @param expected the class (or common interface) the event must be an instance of
     * @throws EventDecodingException if it cannot be decoded or is not an instance of {@code expected}
     */
    public <E> Envelope<E> decode(RecordedEvent record, Class<E> expected) {
        Object event = deserialize(record);
        if (!expected.isInstance(event)) {
            throw new EventDecodingException(record, "it decodes to " + event.getClass().getName() + ", which is not a "
                    + expected.getName(), null);
        }
        return new Envelope<>(expected.cast(event), record);
    }

    /**
     * Every stored type name whose events decode to one of {@code classes} (or their registered
     * subclasses): the registered names, plus older names that upcasters rename into them. Use it to build
     * an {@link dev.relato.EventFilter} that misses no historical event.
     *
     * @throws IllegalArgumentException if a class matches no registered class
     */
    public Set<String> typeNames(Collection<? extends Class<?>> classes) {
        Set<String> current = types.typeNames(classes);
        Set<String> names = new LinkedHashSet<>(current);
        for (Upcaster step : upcasters.values()) {
            if (current.contains(finalType(step))) {
                names.add(step.type());
            }
        }
        return Set.copyOf(names);
    }

    private String finalType(Upcaster first) {
        Upcaster step = first;
        Upcaster next;
        while ((next = upcasters.get(new Key(step.toType(), step.toVersion()))) != null) {
            step = next;
        }
        return step.toType();
    }

    private record Key(String type, int version) {
    }

    /** Assembles a serializer. Not thread-safe: use it from one thread, then {@link #build()}. */
    public static final class Builder {
        private final EventTypes types;
        private EventCodec codec;
        private final Map<Key, Upcaster> upcasters = new HashMap<>();
        private final List<OccurrenceTime<?>> occurrenceTimes = new ArrayList<>();

        private Builder(EventTypes types) {
            this.types = Objects.requireNonNull(types, "event types must not be null");
        }

        /** The codec; {@link JacksonEventCodec} with its default mapper if not set. */
        public Builder codec(EventCodec eventCodec) {
            this.codec = Objects.requireNonNull(eventCodec, "codec must not be null");
            return this;
        }

        /**
         * Takes the time events of a class (or interface) occurred from the events themselves, for example from
         * a {@code createdAt} component: it is stored beside the store's own recorded time and read back as
         * {@link dev.relato.RecordedEvent#occurredAt()}. The first matching class registered wins.
         */
        public <T> Builder occurredAt(Class<T> eventClass, Function<? super T, Instant> time) {
            occurrenceTimes.add(new OccurrenceTime<>(Objects.requireNonNull(eventClass, "event class"),
                    Objects.requireNonNull(time, "time")));
            return this;
        }

        /**
         * Adds upcasters.
         *
         * @throws IllegalArgumentException if two upcasters read the same (type, version), or one reads a
         *                                  registered type at or above its registered version
         */
        public Builder upcasters(Upcaster... steps) {
            return upcasters(List.of(steps));
        }

        /** Adds upcasters, as {@link #upcasters(Upcaster...)}. */
        public Builder upcasters(Collection<Upcaster> steps) {
            for (Upcaster step : steps) {
                Key key = new Key(step.type(), step.fromVersion());
                Upcaster previous = upcasters.putIfAbsent(key, step);
                if (previous != null) {
                    throw new IllegalArgumentException("two upcasters read '" + step.type() + "' v" + step.fromVersion()
                            + ": " + previous + " and " + step);
                }
                types.find(step.type()).ifPresent(registered -> {
                    if (step.fromVersion() >= registered.version()) {
                        upcasters.remove(key);
                        throw new IllegalArgumentException("upcaster " + step + " reads v" + step.fromVersion()
                                + " but " + registered + " is registered at that version or below; raise the"
                                + " registered version or remove the upcaster");
                    }
                });
            }
            return this;
        }

        /**
         * @throws IllegalArgumentException if the upcasters form a loop
         */
        public EventSerializer build() {
            for (Key start : upcasters.keySet()) {
                Set<Key> seen = new HashSet<>();
                for (Key key = start; upcasters.containsKey(key); ) {
                    if (!seen.add(key)) {
                        throw new IllegalArgumentException("upcasters loop through '" + key.type() + "' v" + key.version());
                    }
                    Upcaster step = upcasters.get(key);
                    key = new Key(step.toType(), step.toVersion());
                }
            }
            return new EventSerializer(types, codec == null ? new JacksonEventCodec() : codec, upcasters,
                    occurrenceTimes);
        }
    }
}
