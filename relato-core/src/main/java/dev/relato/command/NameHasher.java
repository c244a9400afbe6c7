package dev.relato.command;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Name-based UUIDs (version 3, MD5, as {@link UUID#nameUUIDFromBytes}) of the name
 * {@code <cause as text>/<purpose>[<index>]}, built in a buffer of its own instead of a string per id. One per
 * thread: not thread-safe.
 */
final class NameHasher {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest md5;
    private final byte[] buffer = new byte[64];

    NameHasher() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    /**
     * The UUID of the name {@code cause} (in {@link UUID#toString()}'s form), {@code /}, {@code purpose} (UTF-8) and,
     * if {@code index} is not negative, its decimal digits.
     */
    UUID uuid(UUID cause, byte[] purpose, int index) {
        int at = hex(cause.getMostSignificantBits() >>> 32, 8, 0);
        buffer[at++] = '-';
        at = hex(cause.getMostSignificantBits() >>> 16, 4, at);
        buffer[at++] = '-';
        at = hex(cause.getMostSignificantBits(), 4, at);
        buffer[at++] = '-';
        at = hex(cause.getLeastSignificantBits() >>> 48, 4, at);
        buffer[at++] = '-';
        at = hex(cause.getLeastSignificantBits(), 12, at);
        buffer[at++] = '/';
        md5.update(buffer, 0, at);
        md5.update(purpose);
        if (index >= 0) {
            int length = 1;
            for (int rest = index / 10; rest > 0; rest /= 10) {
                length++;
            }
            for (int i = length - 1, rest = index; i >= 0; i--, rest /= 10) {
                buffer[i] = (byte) ('0' + rest % 10);
            }
            md5.update(buffer, 0, length);
        }
        try {
            md5.digest(buffer, 0, 16);
        } catch (DigestException e) {
            throw new IllegalStateException("an MD5 digest fits in 16 bytes", e);
        }
        buffer[6] = (byte) ((buffer[6] & 0x0f) | 0x30); // version 3: name-based, MD5
        buffer[8] = (byte) ((buffer[8] & 0x3f) | 0x80); // the IETF variant
        return new UUID(longAt(0), longAt(8));
    }

    /** Writes the lowest {@code digits} hex digits of {@code value} at {@code at}; returns the index after them. */
    private int hex(long value, int digits, int at) {
        for (int i = digits - 1; i >= 0; i--) {
            buffer[at + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
        return at + digits;
    }

    private long longAt(int at) {
        long value = 0;
        for (int i = at; i < at + 8; i++) {
            value = (value << 8) | (buffer[i] & 0xFF);
        }
        return value;
    }
}
