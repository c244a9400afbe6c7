package dev.relato.examples.orders;

import java.util.Optional;

/**
 * What the service accepts as text from clients (customers, SKUs, reasons, ids in paths): not blank, at most a
 * given length once stripped, no control characters (NUL included) and no lone surrogates, so every stored
 * string is well-formed Unicode that any store and any reader can hold. Stateless and thread-safe.
 */
final class TextRules {
    private TextRules() {
    }

    /**
     * What is wrong with {@code value} as a {@code field} of 1 to {@code maxLength} characters, if anything.
     *
     * @return a message naming the field and the problem; empty if the value is acceptable
     */
    static Optional<String> problem(String field, String value, int maxLength) {
        if (value.isBlank()) {
            return Optional.of(field + " must not be blank");
        }
        if (value.length() > maxLength && value.strip().length() > maxLength) {
            return Optional.of(field + " must be at most " + maxLength + " characters, got " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return Optional.of(field + " must not contain control characters (found U+"
                        + String.format("%04X", (int) c) + " at index " + i + ")");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of(field + " must be well-formed Unicode (a lone surrogate at index " + i + ")");
            }
        }
        return Optional.empty();
    }
}
