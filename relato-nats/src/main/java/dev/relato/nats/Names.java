package dev.relato.nats;

import dev.relato.StreamId;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * Validation of JetStream names and the safe encoding of free text (stream ids, consumer names) into
 * subject tokens and key-value keys. Stateless and thread-safe.
 *
 * <p>Free text is encoded as unpadded base64url of its UTF-8 bytes: the alphabet {@code A-Z a-z 0-9 - _}
 * is valid in subject tokens and key-value keys, never empty for non-empty text, and has no {@code .},
 * {@code *}, {@code >} or whitespace, so any id (dots, wildcards, spaces, any script) maps to exactly one
 * token and back.
 */
final class Names {
    static final int MAX_NAME_LENGTH = 64;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Names() {
    }

    /**
     * Checks a JetStream stream or key-value bucket name: 1 to {@value #MAX_NAME_LENGTH} characters, ASCII
     * letters, digits, {@code -} or {@code _}.
     *
     * @throws IllegalArgumentException naming the offending character
     */
    static String validateName(String what, String name) {
        Objects.requireNonNull(name, what + " must not be null");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(what + " '" + name + "' must be 1 to " + MAX_NAME_LENGTH
                    + " characters long");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new IllegalArgumentException(what + " '" + name + "' has '" + name.charAt(i) + "' at index " + i
                        + "; use ASCII letters, digits, '-' and '_'");
            }
        }
        return name;
    }

    /**
     * Checks a subject prefix: one or more tokens of ASCII letters, digits, {@code -} or {@code _}, separated
     * by single dots, at most 128 characters.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static String validateSubjectPrefix(String prefix) {
        Objects.requireNonNull(prefix, "subject prefix must not be null");
        if (prefix.isEmpty() || prefix.length() > 128) {
            throw new IllegalArgumentException("subject prefix '" + prefix + "' must be 1 to 128 characters long");
        }
        String[] tokens = prefix.split("\\.", -1);
        for (String token : tokens) {
            if (token.isEmpty()) {
                throw new IllegalArgumentException("subject prefix '" + prefix
                        + "' has an empty token; separate tokens with single dots and do not start or end with one");
            }
            for (int i = 0; i < token.length(); i++) {
                if (!isTokenChar(token.charAt(i))) {
                    throw new IllegalArgumentException("subject prefix '" + prefix + "' has '" + token.charAt(i)
                            + "'; use ASCII letters, digits, '-' and '_' in dot-separated tokens");
                }
            }
        }
        return prefix;
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /** Free text as one subject token or key-value key part. */
    static String encode(String text) {
        return ENCODER.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reverses {@link #encode(String)}. */
    static String decode(String token) {
        return new String(DECODER.decode(token), StandardCharsets.UTF_8);
    }

    /** The key-value key of a stream: {@code category.encodedId}. */
    static String streamKey(StreamId stream) {
        return stream.category() + '.' + encode(stream.id());
    }

    /** Reverses {@link #streamKey(StreamId)}. */
    static StreamId parseStreamKey(String key) {
        int dot = key.indexOf('.');
        if (dot < 1 || dot == key.length() - 1) {
            throw new IllegalArgumentException("not a stream key: '" + key + "'");
        }
        return new StreamId(key.substring(0, dot), decode(key.substring(dot + 1)));
    }

    /**
     * Whether the subject pattern {@code pattern} (tokens, {@code *}, trailing {@code >}) matches every subject
     * that {@code subjects} (a pattern itself) matches.
     */
    static boolean covers(String pattern, String subjects) {
        String[] p = pattern.split("\\.");
        String[] s = subjects.split("\\.");
        for (int i = 0; i < p.length; i++) {
            if (p[i].equals(">")) {
                return i < s.length;
            }
            if (i >= s.length) {
                return false;
            }
            if (p[i].equals("*")) {
                if (s[i].equals(">")) {
                    return false;
                }
                continue;
            }
            if (!p[i].equals(s[i])) {
                return false;
            }
        }
        return p.length == s.length;
    }
}
