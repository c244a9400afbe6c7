package dev.relato.internal;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Random (version 4) UUIDs for event and command ids, as {@link UUID#randomUUID()} makes them but from a
 * cryptographically strong generator per thread, seeded once from the platform's shared one: no lock shared by
 * every appending thread and no read of the system's entropy source per id. An id names an append for idempotent
 * retries, so it must never repeat by chance: 122 random bits from a strong generator, as {@code randomUUID}.
 * Thread-safe.
 */
public final class RandomIds {
    private static final SecureRandom SEEDS = new SecureRandom();
    private static final ThreadLocal<SecureRandom> GENERATOR = ThreadLocal.withInitial(RandomIds::seeded);

    private RandomIds() {
    }

    /** A new random UUID. */
    public static UUID next() {
        byte[] bytes = new byte[16];
        GENERATOR.get().nextBytes(bytes);
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40); // version 4: random
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80); // the IETF variant
        long most = 0;
        long least = 0;
        for (int i = 0; i < 8; i++) {
            most = (most << 8) | (bytes[i] & 0xFF);
            least = (least << 8) | (bytes[i + 8] & 0xFF);
        }
        return new UUID(most, least);
    }

    private static SecureRandom seeded() {
        try {
            SecureRandom generator = SecureRandom.getInstance("SHA1PRNG");
            byte[] seed = new byte[32];
            SEEDS.nextBytes(seed);
            generator.setSeed(seed); // before its first use: its whole state comes from this seed
            return generator;
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom(); // a platform without SHA1PRNG: its default strong generator
        }
    }
}
