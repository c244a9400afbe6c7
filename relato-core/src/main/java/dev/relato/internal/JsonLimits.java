package dev.relato.internal;

import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.relato.InvalidEventException;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The limits every JSON reader of Relato enforces, and the write-side check that holds stored JSON to them, so
 * that whatever a store accepts it can always read back. Readers (the stores' metadata parser, the default
 * event codec) are built with {@link #READ_CONSTRAINTS}; writers run {@link #check} on every payload and
 * metadata text before it is stored. Strings and names have no limit of their own: the store's event size
 * limit bounds them. Not part of the API. Stateless and thread-safe.
 *
 * <p>{@link #check} is a single lexical pass, not a parse: it finds unpaired UTF-16 surrogates (raw or as
 * {@code \\u} escapes, which no store can keep as UTF-8), {@code \\u0000} escapes (which PostgreSQL refuses),
 * nesting deeper than {@value #MAX_DEPTH} and numbers longer than {@value #MAX_NUMBER_LENGTH} characters.
 * Well-formedness itself is the parser's business: JSON that Relato wrote with Jackson is well-formed by
 * construction and is not parsed again.
 */
public final class JsonLimits {
    /** The deepest nesting of objects and arrays. */
    public static final int MAX_DEPTH = 1000;
    /** The longest number, in characters. */
    public static final int MAX_NUMBER_LENGTH = 1000;
    /** What every reader enforces. */
    public static final StreamReadConstraints READ_CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxStringLength(Integer.MAX_VALUE)
            .maxNameLength(Integer.MAX_VALUE)
            .build();

    private JsonLimits() {
    }

    /**
     * Checks JSON text against the read side's limits and the text rules of every store.
     *
     * @param what names the text in the message, such as {@code "payload of event 'OrderPlaced' (…)"}
     * @throws InvalidEventException naming the problem and where it is
     */
    public static void check(String json, Supplier<String> what) {
        int depth = 0;
        int number = 0;
        boolean inString = false;
        for (int i = 0, n = json.length(); i < n; i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '"') {
                    inString = false;
                } else if (c == '\\') {
                    i = escape(json, i, what);
                } else if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(json.charAt(i + 1))) {
                        i++;
                    } else {
                        throw fail(what, "has an unpaired UTF-16 surrogate (\\u" + hex(c) + ") at index " + i
                                + "; it has no UTF-8 encoding, so no store could keep it");
                    }
                }
            } else if (c == '"') {
                inString = true;
                number = 0;
            } else if (c == '{' || c == '[') {
                number = 0;
                if (++depth > MAX_DEPTH) {
                    throw fail(what, "nests objects and arrays deeper than " + MAX_DEPTH + " levels (index " + i + ")");
                }
            } else if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
                if (++number > MAX_NUMBER_LENGTH) {
                    throw fail(what, "has a number longer than " + MAX_NUMBER_LENGTH + " characters (index " + i + ")");
                }
            } else {
                if (c == '}' || c == ']') {
                    depth--;
                }
                number = 0;
            }
        }
    }

    /** Checks the escape starting at {@code at} (a backslash) and returns the index of its last character. */
    private static int escape(String json, int at, Supplier<String> what) {
        if (at + 1 >= json.length() || json.charAt(at + 1) != 'u') {
            return at + 1;
        }
        int code = hex4(json, at + 2);
        if (code < 0) {
            return at + 1; // malformed: the parser reports it
        }
        if (code == 0) {
            throw fail(what, "has a \\u0000 escape at index " + at + "; stores cannot keep the NUL character");
        }
        if (code >= 0xDC00 && code <= 0xDFFF) {
            throw fail(what, "has an unpaired UTF-16 surrogate escape (\\u" + hex(code) + ") at index " + at);
        }
        if (code >= 0xD800 && code <= 0xDBFF) {
            int low = at + 6 < json.length() && json.charAt(at + 6) == '\\' && at + 7 < json.length()
                    && json.charAt(at + 7) == 'u' ? hex4(json, at + 8) : -1;
            if (low < 0xDC00 || low > 0xDFFF) {
                throw fail(what, "has an unpaired UTF-16 surrogate escape (\\u" + hex(code) + ") at index " + at);
            }
            return at + 11;
        }
        return at + 5;
    }

    private static int hex4(String s, int from) {
        if (from + 4 > s.length()) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < from + 4; i++) {
            int digit = Character.digit(s.charAt(i), 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private static String hex(int c) {
        return String.format(Locale.ROOT, "%04X", c);
    }

    private static InvalidEventException fail(Supplier<String> what, String problem) {
        return new InvalidEventException(what.get() + " " + problem);
    }
}
