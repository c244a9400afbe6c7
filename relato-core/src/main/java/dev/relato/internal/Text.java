package dev.relato.internal;

import dev.relato.InvalidInputException;

/**
 * Rules for text that Relato stores: names (stream ids, types, projection names) and free text (metadata).
 * Every store keeps text as UTF-8, where an unpaired UTF-16 surrogate has no encoding and would come back as
 * {@code ?}; such text is therefore refused everywhere, so that all stores agree. Not part of the API.
 * Stateless and thread-safe.
 */
public final class Text {
    private Text() {
    }

    /** The index of the first unpaired surrogate in {@code text}, or -1 if every surrogate is paired. */
    public static int unpairedSurrogate(CharSequence text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Checks a name: 1 to {@code maxLength} characters, not blank, no control character, no unpaired surrogate.
     *
     * @param what names the value in the message, such as {@code "stream id"}
     * @return the name
     * @throws InvalidInputException naming the rule broken
     */
    public static String requireName(String name, String what, int maxLength) {
        if (name == null) {
            throw new InvalidInputException(what + " must not be null");
        }
        if (name.isBlank()) {
            throw new InvalidInputException(what + " must not be blank");
        }
        if (name.length() > maxLength) {
            throw new InvalidInputException(what + " '" + preview(name) + "' is " + name.length()
                    + " characters long; the limit is " + maxLength);
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new InvalidInputException(what + " '" + preview(name) + "' contains a control character (code "
                        + (int) name.charAt(i) + ") at index " + i + "; names must be printable text");
            }
        }
        requirePairedSurrogates(name, what);
        return name;
    }

    /**
     * Checks free text: no NUL character and no unpaired surrogate (other control characters are allowed).
     *
     * @throws InvalidInputException naming the rule broken
     */
    public static String requireText(String text, String what) {
        if (text == null) {
            throw new InvalidInputException(what + " must not be null");
        }
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw new InvalidInputException(what + " contains a NUL character at index " + nul
                    + "; stores cannot keep it");
        }
        return requirePairedSurrogates(text, what);
    }

    private static String requirePairedSurrogates(String text, String what) {
        int at = unpairedSurrogate(text);
        if (at >= 0) {
            throw new InvalidInputException(what + " contains an unpaired UTF-16 surrogate (\\u"
                    + Integer.toHexString(text.charAt(at)).toUpperCase(java.util.Locale.ROOT) + ") at index " + at
                    + "; it has no UTF-8 encoding, so no store could keep it");
        }
        return text;
    }

    /** The first 40 characters of {@code text}, for messages, with any unpaired surrogate replaced. */
    public static String preview(String text) {
        String head = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        StringBuilder out = new StringBuilder(head.length());
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < head.length() && Character.isLowSurrogate(head.charAt(i + 1))) {
                out.append(c).append(head.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) || Character.isISOControl(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
