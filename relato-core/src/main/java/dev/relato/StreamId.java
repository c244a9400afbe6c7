package dev.relato;

import java.util.Objects;

/**
 * Identity of one event stream: a category (the aggregate or entity kind, such as {@code Order}) and an
 * id within it. Immutable and thread-safe.
 *
 * <p>The category is 1 to {@value #MAX_CATEGORY_LENGTH} characters: an ASCII letter followed by ASCII
 * letters, digits or underscores. The id is 1 to {@value #MAX_ID_LENGTH} characters, not blank, with no
 * control characters; any other character (including {@code -}, {@code .}, spaces and non-ASCII text) is
 * allowed and backends store it faithfully. The stable string form is {@code category-id}, parsed back by
 * {@link #parse(String)}.
 *
 * @throws IllegalArgumentException from the constructor when a part is invalid, with the reason
 */
public record StreamId(String category, String id) implements Comparable<StreamId> {
    public static final int MAX_CATEGORY_LENGTH = 64;
    public static final int MAX_ID_LENGTH = 256;

    public StreamId {
        validateCategory(category);
        Objects.requireNonNull(id, "stream id must not be null");
        if (id.isBlank()) {
            throw new IllegalArgumentException("stream id must not be blank (category '" + category + "')");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("stream id is " + id.length() + " characters long; the limit is "
                    + MAX_ID_LENGTH + " (category '" + category + "')");
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                throw new IllegalArgumentException("stream id contains a control character (code "
                        + (int) id.charAt(i) + ") at index " + i + "; ids must be printable text");
            }
        }
    }

    /** Shorthand for {@code new StreamId(category, id)}. */
    public static StreamId of(String category, String id) {
        return new StreamId(category, id);
    }

    /**
     * Parses the string form {@code category-id}: the category runs up to the first {@code -}.
     *
     * @throws IllegalArgumentException if there is no {@code -} or a part is invalid
     */
    public static StreamId parse(String value) {
        Objects.requireNonNull(value, "stream name must not be null");
        int dash = value.indexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException("stream name '" + value + "' has no '-': expected 'category-id'");
        }
        return new StreamId(value.substring(0, dash), value.substring(dash + 1));
    }

    /**
     * Checks a category name alone (used for filters).
     *
     * @throws IllegalArgumentException if it is not a valid category
     */
    public static String validateCategory(String category) {
        Objects.requireNonNull(category, "stream category must not be null");
        if (category.isEmpty() || category.length() > MAX_CATEGORY_LENGTH) {
            throw new IllegalArgumentException("stream category '" + category + "' must be 1 to "
                    + MAX_CATEGORY_LENGTH + " characters long");
        }
        for (int i = 0; i < category.length(); i++) {
            char c = category.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (i > 0 && ((c >= '0' && c <= '9') || c == '_'));
            if (!ok) {
                throw new IllegalArgumentException("stream category '" + category + "' has '" + c + "' at index "
                        + i + "; a category is an ASCII letter followed by letters, digits or '_'");
            }
        }
        return category;
    }

    @Override
    public int compareTo(StreamId o) {
        int c = category.compareTo(o.category);
        return c != 0 ? c : id.compareTo(o.id);
    }

    /** The stable string form, {@code category-id}. */
    @Override
    public String toString() {
        return category + '-' + id;
    }
}
