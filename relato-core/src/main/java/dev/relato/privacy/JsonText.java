package dev.relato.privacy;

/**
 * A lexical walk over JSON text, by character index, for the common shapes of payloads: it finds where a value, a
 * string or a member ends without building anything, so that the personal fields can be cut out of the text and put
 * back in place. Every method answers {@link #NO} for text it does not accept (not well-formed, an escaped member
 * name, nesting deeper than {@link #MAX_DEPTH}); the caller then falls back to a full JSON parser, which decides
 * what such text means. Stateless and thread-safe.
 */
final class JsonText {
    /** The answer for text this walk does not handle. */
    static final int NO = -1;
    /** The deepest nesting walked; deeper text is left to the parser, which enforces the read limits. */
    static final int MAX_DEPTH = 64;

    private JsonText() {
    }

    /** The index of the first character at or after {@code i} that is not JSON white space. */
    static int skipSpace(String s, int i) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    /** Whether the text at {@code i} is the character {@code c}. */
    static boolean at(String s, int i, char c) {
        return i >= 0 && i < s.length() && s.charAt(i) == c;
    }

    /** The index after the member name starting at {@code i} (its opening quote), or {@link #NO}. */
    static int nameEnd(String s, int i) {
        return at(s, i, '"') ? stringEnd(s, i) : NO;
    }

    /** The start of a member's value, after the name ending at {@code nameEnd} and its colon, or {@link #NO}. */
    static int memberValue(String s, int nameEnd) {
        int j = skipSpace(s, nameEnd);
        return at(s, j, ':') ? skipSpace(s, j + 1) : NO;
    }

    /**
     * After a value ending at {@code j} inside an object or array that {@code close} ends: the index of
     * {@code close}, or the start of the next member or element after a comma; {@link #NO} otherwise.
     */
    static int next(String s, int j, char close) {
        j = skipSpace(s, j);
        if (at(s, j, close)) {
            return j;
        }
        if (!at(s, j, ',')) {
            return NO;
        }
        j = skipSpace(s, j + 1);
        return at(s, j, close) ? NO : j;
    }

    /** The index after the value starting at {@code i} (no white space before it), or {@link #NO}. */
    static int valueEnd(String s, int i, int depth) {
        if (i >= s.length()) {
            return NO;
        }
        char c = s.charAt(i);
        return switch (c) {
            case '"' -> stringEnd(s, i);
            case '{' -> objectEnd(s, i, depth + 1);
            case '[' -> arrayEnd(s, i, depth + 1);
            case 't' -> literalEnd(s, i, "true");
            case 'f' -> literalEnd(s, i, "false");
            case 'n' -> literalEnd(s, i, "null");
            default -> numberEnd(s, i);
        };
    }

    /** The index after the string starting at {@code i} (its opening quote), or {@link #NO}. */
    static int stringEnd(String s, int i) {
        int n = s.length();
        for (int j = i + 1; j < n; j++) {
            char c = s.charAt(j);
            if (c == '"') {
                return j + 1;
            }
            if (c < 0x20) {
                return NO;
            }
            if (c == '\\') {
                if (++j >= n) {
                    return NO;
                }
                char e = s.charAt(j);
                if (e == 'u') {
                    if (j + 4 >= n) {
                        return NO;
                    }
                    for (int k = 1; k <= 4; k++) {
                        if (Character.digit(s.charAt(j + k), 16) < 0) {
                            return NO;
                        }
                    }
                    j += 4;
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    return NO;
                }
            }
        }
        return NO;
    }

    /** Whether the string between {@code from} and {@code to} holds no escape, so its text is what it means. */
    static boolean plain(String s, int from, int to) {
        for (int j = from; j < to; j++) {
            if (s.charAt(j) == '\\') {
                return false;
            }
        }
        return true;
    }

    /** The index after the number starting at {@code i}, or {@link #NO}. */
    static int numberEnd(String s, int i) {
        int n = s.length();
        int j = i;
        if (j < n && s.charAt(j) == '-') {
            j++;
        }
        if (j >= n) {
            return NO;
        }
        if (s.charAt(j) == '0') {
            j++;
        } else {
            int start = j;
            j = digits(s, j);
            if (j == start || s.charAt(start) == '0') {
                return NO;
            }
        }
        if (j < n && s.charAt(j) == '.') {
            int start = ++j;
            j = digits(s, j);
            if (j == start) {
                return NO;
            }
        }
        if (j < n && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
            j++;
            if (j < n && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                j++;
            }
            int start = j;
            j = digits(s, j);
            if (j == start) {
                return NO;
            }
        }
        return j;
    }

    /** Whether the number between {@code from} and {@code to} is an integer as written (no fraction or exponent). */
    static boolean integer(String s, int from, int to) {
        for (int j = from; j < to; j++) {
            char c = s.charAt(j);
            if (c == '.' || c == 'e' || c == 'E') {
                return false;
            }
        }
        return true;
    }

    private static int digits(String s, int j) {
        int n = s.length();
        while (j < n && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
            j++;
        }
        return j;
    }

    private static int literalEnd(String s, int i, String literal) {
        return s.startsWith(literal, i) ? i + literal.length() : NO;
    }

    private static int objectEnd(String s, int i, int depth) {
        if (depth > MAX_DEPTH) {
            return NO;
        }
        int j = skipSpace(s, i + 1);
        while (j != NO && !at(s, j, '}')) {
            j = nameEnd(s, j);
            j = j == NO ? NO : memberValue(s, j);
            j = j == NO ? NO : valueEnd(s, j, depth);
            j = j == NO ? NO : next(s, j, '}');
        }
        return j == NO ? NO : j + 1;
    }

    private static int arrayEnd(String s, int i, int depth) {
        if (depth > MAX_DEPTH) {
            return NO;
        }
        int j = skipSpace(s, i + 1);
        while (j != NO && !at(s, j, ']')) {
            j = valueEnd(s, j, depth);
            j = j == NO ? NO : next(s, j, ']');
        }
        return j == NO ? NO : j + 1;
    }
}
