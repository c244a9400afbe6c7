package dev.relato.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.relato.InvalidEventException;
import dev.relato.Metadata;
import dev.relato.internal.JsonLimits;
import java.io.IOException;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * JSON helpers for backends: a well-formedness check that also holds the text to the limits every reader
 * enforces, and metadata to and from JSON text, read with those same limits. Stateless and thread-safe.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(JsonLimits.READ_CONSTRAINTS)
            .build();

    private Json() {
    }

    /**
     * Checks that {@code json} is exactly one well-formed JSON value within the limits every reader enforces
     * (nesting depth, number length, no unpaired surrogate, no {@code \u0000}), streaming (no tree is built).
     *
     * @param what names the text in the exception message
     * @throws InvalidEventException if it is not
     */
    public static void requireWellFormed(String json, Supplier<String> what) {
        JsonLimits.check(json, what);
        try (JsonParser parser = FACTORY.createParser(json)) {
            if (parser.nextToken() == null) {
                throw new InvalidEventException(what.get() + " is empty; it must be one JSON value, such as {}");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new InvalidEventException(what.get() + " has text after its JSON value at "
                        + parser.currentLocation().offsetDescription());
            }
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(what.get() + " is not well-formed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidEventException(what.get() + " could not be read as JSON", e);
        }
    }

    /** Metadata as a JSON object of strings. */
    public static String writeMetadata(Metadata metadata) {
        if (metadata.isEmpty()) {
            return "{}";
        }
        StringWriter text = new StringWriter(64);
        try (JsonGenerator out = FACTORY.createGenerator(text)) {
            out.writeStartObject();
            for (Map.Entry<String, String> entry : metadata.entries().entrySet()) {
                out.writeStringField(entry.getKey(), entry.getValue());
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("metadata could not be written as JSON", e);
        }
        return text.toString();
    }

    /**
     * Reads metadata written by {@link #writeMetadata(Metadata)}.
     *
     * @throws IllegalArgumentException if the text is not a JSON object of strings, or breaks a read limit
     */
    public static Metadata readMetadata(String json) {
        if (json == null || json.isEmpty() || "{}".equals(json)) {
            return Metadata.empty();
        }
        Map<String, String> plain = plainEntries(json);
        if (plain != null) {
            return new Metadata(plain);
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("metadata is not a JSON object: " + json);
            }
            Map<String, String> entries = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                parser.nextToken();
                entries.put(key, parser.getValueAsString());
            }
            return new Metadata(entries);
        } catch (IOException e) {
            throw new IllegalArgumentException("metadata is not well-formed JSON: " + json, e);
        }
    }

    /**
     * The entries of a JSON object of strings none of which holds an escape, such as every store writes for ids and
     * plain values, read without a parser; null for any other text (escapes, other values, anything malformed), which
     * the parser then reads or refuses.
     */
    private static @Nullable Map<String, String> plainEntries(String json) {
        int n = json.length();
        int at = skipSpace(json, 0);
        if (at >= n || json.charAt(at) != '{') {
            return null;
        }
        Map<String, String> entries = new LinkedHashMap<>();
        at = skipSpace(json, at + 1);
        if (at < n && json.charAt(at) == '}') {
            return skipSpace(json, at + 1) == n ? entries : null;
        }
        while (true) {
            int keyEnd = plainString(json, at);
            if (keyEnd < 0) {
                return null;
            }
            String key = json.substring(at + 1, keyEnd);
            at = skipSpace(json, keyEnd + 1);
            if (at >= n || json.charAt(at) != ':') {
                return null;
            }
            at = skipSpace(json, at + 1);
            int valueEnd = plainString(json, at);
            if (valueEnd < 0 || entries.put(key, json.substring(at + 1, valueEnd)) != null) {
                return null;
            }
            at = skipSpace(json, valueEnd + 1);
            if (at >= n) {
                return null;
            }
            char c = json.charAt(at);
            if (c == '}') {
                return skipSpace(json, at + 1) == n ? entries : null;
            }
            if (c != ',') {
                return null;
            }
            at = skipSpace(json, at + 1);
        }
    }

    /** The index of the closing quote of the string starting at {@code at}, or -1 if it is not a plain string. */
    private static int plainString(String json, int at) {
        if (at >= json.length() || json.charAt(at) != '"') {
            return -1;
        }
        for (int i = at + 1; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                return i;
            }
            if (c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
                return -1;
            }
        }
        return -1;
    }

    private static int skipSpace(String json, int at) {
        while (at < json.length() && (json.charAt(at) == ' ' || json.charAt(at) == '\n' || json.charAt(at) == '\t'
                || json.charAt(at) == '\r')) {
            at++;
        }
        return at;
    }

    /** Length of {@code text} in UTF-8 bytes, without encoding it. */
    public static int utf8Length(String text) {
        int n = text.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c)) {
                    bytes += 2; // four bytes for the pair, counted over its two chars
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }
}
