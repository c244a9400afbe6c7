package dev.relato.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.relato.InvalidEventException;
import dev.relato.Metadata;
import dev.relato.internal.JsonLimits;
import dev.relato.internal.MetadataEntries;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * JSON helpers for backends: a well-formedness check that also holds the text to the limits every reader
 * enforces, and metadata to and from JSON text, read with those same limits. Stateless and thread-safe.
 */
public final class Json {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
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

    /**
     * Metadata as a JSON object of strings. Metadata read from a store, or written before, gives the same text
     * again without encoding it anew.
     */
    public static String writeMetadata(Metadata metadata) {
        if (metadata.isEmpty()) {
            return "{}";
        }
        if (metadata.entries() instanceof MetadataEntries entries) {
            return entries.json(Json::encodeEntries);
        }
        return encodeEntries(metadata.entries());
    }

    /**
     * Metadata of the one entry {@code key}, {@code value}, with its JSON text made at once, so that a store writes it
     * without encoding it: for an observer that carries such an entry (a trace context) into the events of every
     * append. The entry must pass {@code Metadata}'s rules: the caller vouches for it, nothing is checked.
     */
    public static Metadata metadataOf(String key, String value) {
        Map<String, String> entries = Map.of(key, value);
        return new Metadata(MetadataEntries.of(entries, encodeEntries(entries)));
    }

    private static String encodeEntries(Map<String, String> entries) {
        int length = 2;
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            length += entry.getKey().length() + entry.getValue().length() + 6;
        }
        StringBuilder out = new StringBuilder(length); // exact unless something is escaped
        out.append('{');
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            writeString(out, entry.getKey());
            out.append(':');
            writeString(out, entry.getValue());
        }
        return out.append('}').toString();
    }

    /** A JSON string, escaped as Jackson escapes it: quote, backslash and control characters. */
    private static void writeString(StringBuilder out, String text) {
        out.append('"');
        int n = text.length();
        int plain = 0;
        while (plain < n && !escaped(text.charAt(plain))) {
            plain++;
        }
        if (plain == n) { // nothing to escape: copied at once
            out.append(text).append('"');
            return;
        }
        out.append(text, 0, plain);
        for (int i = plain; i < n; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                }
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private static boolean escaped(char c) {
        return c < 0x20 || c == '"' || c == '\\';
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
        int plain = plainEntryCount(json);
        if (plain == 0) {
            return Metadata.empty();
        }
        if (plain > 0) { // checked without building anything: made into a map only if an entry is asked for
            return new Metadata(MetadataEntries.ofJson(json, Json::plainEntries));
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
     * The number of entries of {@code json} if it is a JSON object of strings none of which holds an escape (such as
     * every store writes for ids and plain values), with no key repeated and every key and value within
     * {@code Metadata}'s rules; -1 for any other text (escapes, other values, anything malformed or refused), which
     * the parser then reads or refuses. Builds nothing.
     */
    private static int plainEntryCount(String json) {
        int n = json.length();
        int at = skipSpace(json, 0);
        if (at >= n || json.charAt(at) != '{') {
            return -1;
        }
        int first = skipSpace(json, at + 1);
        at = first;
        if (at < n && json.charAt(at) == '}') {
            return skipSpace(json, at + 1) == n ? 0 : -1;
        }
        int count = 0;
        while (true) {
            int keyEnd = plainString(json, at);
            if (keyEnd < 0 || !plainKey(json, at + 1, keyEnd) || repeatsKey(json, first, at)) {
                return -1;
            }
            at = skipSpace(json, keyEnd + 1);
            if (at >= n || json.charAt(at) != ':') {
                return -1;
            }
            at = skipSpace(json, at + 1);
            int valueEnd = plainString(json, at);
            if (valueEnd < 0) {
                return -1;
            }
            count++;
            at = skipSpace(json, valueEnd + 1);
            if (at >= n) {
                return -1;
            }
            char c = json.charAt(at);
            if (c == '}') {
                return skipSpace(json, at + 1) == n ? count : -1;
            }
            if (c != ',') {
                return -1;
            }
            at = skipSpace(json, at + 1);
        }
    }

    /** Whether the key between {@code from} and {@code to} is a metadata key: not blank, not too long, printable. */
    private static boolean plainKey(String json, int from, int to) {
        if (to - from > Metadata.MAX_KEY_LENGTH) {
            return false;
        }
        boolean blank = true;
        for (int i = from; i < to; i++) {
            char c = json.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            blank &= Character.isWhitespace(c);
        }
        return !blank;
    }

    /** Whether the key starting at {@code key} (a checked plain object) appeared before it, from {@code first} on. */
    private static boolean repeatsKey(String json, int first, int key) {
        int keyLength = plainString(json, key) - key;
        int at = first;
        while (at < key) {
            int end = plainString(json, at);
            if (end - at == keyLength && json.regionMatches(at, json, key, keyLength)) {
                return true;
            }
            at = plainString(json, skipSpace(json, skipSpace(json, end + 1) + 1)); // past ':' to the value's end
            at = skipSpace(json, skipSpace(json, at + 1) + 1); // past ',' to the next key
        }
        return false;
    }

    /** The entries of a text {@link #plainEntryCount} accepted, in order. */
    private static Map<String, String> plainEntries(String json) {
        Map<String, String> entries = new LinkedHashMap<>();
        int at = skipSpace(json, skipSpace(json, 0) + 1);
        while (json.charAt(at) == '"') {
            int keyEnd = plainString(json, at);
            String key = json.substring(at + 1, keyEnd);
            at = skipSpace(json, skipSpace(json, keyEnd + 1) + 1);
            int valueEnd = plainString(json, at);
            entries.put(key, json.substring(at + 1, valueEnd));
            at = skipSpace(json, skipSpace(json, valueEnd + 1) + 1); // past ',' or '}'
            if (at >= json.length()) {
                break;
            }
        }
        return entries;
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
