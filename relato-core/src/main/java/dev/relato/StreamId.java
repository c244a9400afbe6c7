package dev.relato;

import dev.relato.internal.Text;
import java.util.Objects;

/**
 * Identity of one event stream: a category (the aggregate or entity kind, such as {@code Order}) and an
 * id within it. Immutable and thread-safe.
 *
 * <p>The category is 1 to {@value #MAX_CATEGORY_LENGTH} characters: an ASCII letter followed by ASCII
 * letters, digits or underscores. The id is 1 to {@value #MAX_ID_LENGTH} characters, not blank, with no
 * control characters and no unpaired UTF-16 surrogate; any other character (including {@code -}, {@code .},
 * spaces and non-ASCII text) is allowed and backends store it faithfully. The stable string form is
 * {@code category-id}, parsed back by {@link #parse(String)}.
 *
 * <p>The constructor throws {@link InvalidInputException} when a part is invalid, with the reason.
 */
public record StreamId(String category, String id) implements Comparable<StreamId> {
    public static final int MAX_CATEGORY_LENGTH = 64;
    public static final int MAX_ID_LENGTH = 256;

    public StreamId {
        validateCategory(category);
        Text.requireName(id, "stream id (category '" + category + "')", MAX_ID_LENGTH);
    }

    /** Shorthand for {@code new StreamId(category, id)}. */
    public static StreamId of(String category, String id) {
        return new StreamId(category, id);
    }

    /**
     * Parses the string form {@code category-id}: the category runs up to the first {@code -}.
     *
     * @throws InvalidInputException if there is no {@code -} or a part is invalid
     */
    public static StreamId parse(String value) {
        Objects.requireNonNull(value, "stream name must not be null");
        int dash = value.indexOf('-');
        if (dash < 0) {
            throw new InvalidInputException("stream name '" + Text.preview(value)
                    + "' has no '-': expected 'category-id'");
        }
        return new StreamId(value.substring(0, dash), value.substring(dash + 1));
    }

    /**
     * Checks a category name alone (used for filters).
     *
     * @throws InvalidInputException if it is not a valid category
     */
    public static String validateCategory(String category) {
        if (category == null) {
            throw new InvalidInputException("stream category must not be null");
        }
        if (category.isEmpty() || category.length() > MAX_CATEGORY_LENGTH) {
            throw new InvalidInputException("stream category '" + Text.preview(category) + "' must be 1 to "
                    + MAX_CATEGORY_LENGTH + " characters long");
        }
        for (int i = 0; i < category.length(); i++) {
            char c = category.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (i > 0 && ((c >= '0' && c <= '9') || c == '_'));
            if (!ok) {
                throw new InvalidInputException("stream category '" + Text.preview(category) + "' has '"
                        + Text.preview(String.valueOf(c)) + "' at index " + i
                        + "; a category is an ASCII letter followed by letters, digits or '_'");
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
