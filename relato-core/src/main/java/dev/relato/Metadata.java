package dev.relato;

import dev.relato.internal.MetadataEntries;
import dev.relato.internal.Text;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Data about an event rather than of it: a correlation id (the conversation or request it belongs to), a
 * causation id (the command or event that caused it) and free string entries. Stored as a JSON object of
 * strings. Immutable and thread-safe; the {@code with…} methods return new instances.
 *
 * <p>A key is a name of 1 to {@value #MAX_KEY_LENGTH} printable characters; a value is any text without a
 * NUL character. Neither may hold an unpaired UTF-16 surrogate, which no store could keep.
 */
public record Metadata(Map<String, String> entries) {
    /** Entry key of the correlation id. */
    public static final String CORRELATION_ID = "$correlationId";
    /** Entry key of the causation id. */
    public static final String CAUSATION_ID = "$causationId";

    /** The longest metadata key, in characters. */
    public static final int MAX_KEY_LENGTH = 256;

    private static final Metadata EMPTY = new Metadata(Map.of());

    /**
     * @throws InvalidInputException if a key or value is null or breaks the rules above
     */
    public Metadata {
        Objects.requireNonNull(entries, "metadata entries must not be null");
        if (!(entries instanceof MetadataEntries)) { // Relato's own entries were checked when they were made
            Map<String, String> copy = new LinkedHashMap<>(entries.size() * 2);
            entries.forEach((k, v) -> {
                Text.requireName(k, "metadata key", MAX_KEY_LENGTH);
                if (v == null || v.indexOf('\0') >= 0 || Text.unpairedSurrogate(v) >= 0) { // the message only if needed
                    Text.requireText(v, "metadata entry '" + Text.preview(k) + "'");
                }
                copy.put(k, v);
            });
            entries = MetadataEntries.of(copy);
        }
    }

    public static Metadata empty() {
        return EMPTY;
    }

    public Optional<String> correlationId() {
        return get(CORRELATION_ID);
    }

    public Optional<String> causationId() {
        return get(CAUSATION_ID);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    public Metadata withCorrelationId(String correlationId) {
        return with(CORRELATION_ID, correlationId);
    }

    public Metadata withCausationId(String causationId) {
        return with(CAUSATION_ID, causationId);
    }

    /** Correlation and causation ids set so that an event caused by {@code cause} stays in its conversation. */
    public Metadata causedBy(RecordedEvent cause) {
        return withCorrelationId(cause.metadata().correlationId().orElse(cause.eventId().toString()))
                .withCausationId(cause.eventId().toString());
    }

    public Metadata withCorrelationId(UUID correlationId) {
        return withCorrelationId(correlationId.toString());
    }

    public Metadata with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(entries);
        copy.put(key, value);
        return new Metadata(copy);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
