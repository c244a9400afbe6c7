package dev.relato.nats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.relato.EventData;
import dev.relato.Metadata;
import dev.relato.StreamId;
import io.nats.client.impl.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The stored form of an append: one JetStream message whose headers carry the stream version range and
 * the sequence of the stream's previous message, and whose body is a JSON array of the events
 * ({@code [{"id":…,"type":…,"schemaVersion":…,"metadata":{…},"payload":"…"}]}, the payload kept as a JSON
 * string so it reads back exactly as written). Stateless and thread-safe.
 */
final class BatchCodec {
    static final String FIRST_VERSION = "Relato-First-Version";
    static final String LAST_VERSION = "Relato-Last-Version";
    static final String PREVIOUS_SEQUENCE = "Relato-Previous-Sequence";
    private static final JsonFactory JSON = new JsonFactory();

    private BatchCodec() {
    }

    static byte[] encodeEvents(List<EventData> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * events.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (EventData e : events) {
                g.writeStartObject();
                g.writeStringField("id", e.eventId().toString());
                g.writeStringField("type", e.type());
                g.writeNumberField("schemaVersion", e.schemaVersion());
                g.writeObjectFieldStart("metadata");
                for (Map.Entry<String, String> m : e.metadata().entries().entrySet()) {
                    g.writeStringField(m.getKey(), m.getValue());
                }
                g.writeEndObject();
                g.writeStringField("payload", e.payload());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("events could not be encoded", e);
        }
        return out.toByteArray();
    }

    static Headers headers(long firstVersion, long lastVersion, long previousSequence) {
        Headers h = new Headers();
        h.put(FIRST_VERSION, Long.toString(firstVersion));
        h.put(LAST_VERSION, Long.toString(lastVersion));
        h.put(PREVIOUS_SEQUENCE, Long.toString(previousSequence));
        return h;
    }

    /**
     * Decodes a stored message.
     *
     * @throws IllegalStateException if the message is not an append written by this store
     */
    static StoredBatch decode(StreamId stream, long sequence, Instant recordedAt, Headers headers, byte[] body) {
        long first = header(headers, FIRST_VERSION, sequence);
        long last = header(headers, LAST_VERSION, sequence);
        long previous = header(headers, PREVIOUS_SEQUENCE, sequence);
        List<StoredBatch.Entry> events = decodeEvents(body, sequence);
        if (last - first + 1 != events.size()) {
            throw new IllegalStateException("message " + sequence + " claims versions " + first + "-" + last
                    + " but holds " + events.size() + " events");
        }
        return new StoredBatch(stream, sequence, previous, first, recordedAt, events);
    }

    private static long header(Headers headers, String name, long sequence) {
        String value = headers == null ? null : headers.getFirst(name);
        if (value == null) {
            throw new IllegalStateException("message " + sequence + " has no " + name
                    + " header; it was not written by a Relato event store");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("message " + sequence + " has a malformed " + name + " header: " + value, e);
        }
    }

    private static List<StoredBatch.Entry> decodeEvents(byte[] body, long sequence) {
        List<StoredBatch.Entry> events = new ArrayList<>();
        try (JsonParser p = JSON.createParser(body)) {
            expect(p.nextToken(), JsonToken.START_ARRAY, sequence);
            while (p.nextToken() == JsonToken.START_OBJECT) {
                UUID id = null;
                String type = null;
                int schemaVersion = 0;
                String payload = null;
                Metadata metadata = Metadata.empty();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (field) {
                        case "id" -> id = UUID.fromString(p.getText());
                        case "type" -> type = p.getText();
                        case "schemaVersion" -> schemaVersion = p.getIntValue();
                        case "payload" -> payload = p.getText();
                        case "metadata" -> {
                            expect(value, JsonToken.START_OBJECT, sequence);
                            Map<String, String> entries = new LinkedHashMap<>();
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String key = p.currentName();
                                p.nextToken();
                                entries.put(key, p.getText());
                            }
                            metadata = entries.isEmpty() ? Metadata.empty() : new Metadata(entries);
                        }
                        default -> p.skipChildren();
                    }
                }
                if (id == null || type == null || payload == null) {
                    throw new IllegalStateException("message " + sequence + " holds an event without id, type or payload");
                }
                events.add(new StoredBatch.Entry(id, type, schemaVersion, payload, metadata));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("message " + sequence + " does not hold well-formed events: " + e, e);
        }
        return events;
    }

    private static void expect(JsonToken actual, JsonToken expected, long sequence) {
        if (actual != expected) {
            throw new IllegalStateException("message " + sequence + ": expected " + expected + " but found " + actual);
        }
    }
}
