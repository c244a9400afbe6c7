package dev.relato.cli.ops;

import dev.relato.InvalidInputException;
import dev.relato.StreamId;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Checks of operators' input, each failing with a {@link UsageException} that names the bad value. */
public final class Inputs {
    private static final int PREVIEW = 60;

    private Inputs() {
    }

    /**
     * {@code text} if it is 1 to {@code max} characters with no control character and no unpaired surrogate.
     */
    public static String requireText(String text, String what, int max) {
        if (text.isEmpty()) {
            throw new UsageException(what + " must not be empty");
        }
        if (text.length() > max) {
            throw new UsageException(what + " is " + text.length() + " characters long; the limit is " + max);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                throw new UsageException(what + " '" + preview(text) + "' contains the control character U+"
                        + String.format("%04X", (int) c) + " at index " + i);
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new UsageException(what + " '" + preview(text) + "' contains an unpaired surrogate at index " + i);
            }
        }
        return text;
    }

    /** A stream name {@code category-id}. */
    public static StreamId stream(String name) {
        requireText(name, "stream name", StreamId.MAX_CATEGORY_LENGTH + 1 + StreamId.MAX_ID_LENGTH);
        try {
            return StreamId.parse(name);
        } catch (IllegalArgumentException | InvalidInputException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** A projection (checkpoint) name. */
    public static String projection(String name) {
        return requireText(name, "projection name", 200);
    }

    /** A global position or version: a whole number, at least {@code min}. */
    public static long number(String text, String what, long min) {
        requireText(text, what, 40);
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(what + " '" + preview(text) + "' is not a whole number");
        }
        if (value < min) {
            throw new UsageException(what + " must be " + min + " or more, got " + value);
        }
        return value;
    }

    /** An ISO-8601 instant, such as {@code 2026-12-03T08:00:00Z}. */
    public static Instant instant(String text, String what) {
        requireText(text, what, 64);
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new UsageException(what + " '" + preview(text) + "' is not an ISO-8601 instant such as "
                    + "2026-12-03T08:00:00Z");
        }
    }

    /** The start of {@code text}, for error messages, with control characters shown as {@code ?}. */
    public static String preview(String text) {
        String head = text.length() > PREVIEW ? text.substring(0, PREVIEW) + "…(" + text.length() + " characters)" : text;
        StringBuilder shown = new StringBuilder(head.length());
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            shown.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
        }
        return shown.toString();
    }
}
