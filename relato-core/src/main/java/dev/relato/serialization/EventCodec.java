package dev.relato.serialization;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns event objects (and snapshot states) into JSON text and back. {@link JacksonEventCodec} is the
 * default. Implementations must be thread-safe: one instance serves every thread.
 *
 * <p>Every method throws {@link IllegalArgumentException} (with the underlying problem as its cause) when
 * a value cannot be written, or a text or tree cannot be read as the requested class; callers such as
 * {@link EventSerializer} turn that into the exception that names the stored record.
 */
public interface EventCodec {

    /** The value as one JSON value, usually an object. */
    String encode(Object value);

    /** Reads JSON text as an instance of {@code type}. */
    <T> T decode(String json, Class<T> type);

    /** Reads JSON text as a mutable tree, for upcasting. */
    JsonNode readTree(String json);

    /** Reads a tree (for instance one an upcaster produced) as an instance of {@code type}. */
    <T> T fromTree(JsonNode tree, Class<T> type);
}
