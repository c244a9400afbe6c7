package dev.relato.privacy;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM from the JDK's providers: a fresh random 96-bit nonce per message, a 128-bit tag, and associated
 * data the caller binds the message to. Sealed output is nonce followed by ciphertext and tag. Thread-safe.
 *
 * <p>Nonces are random bytes from the platform's {@link SecureRandom}, drawn for many nonces at a time into a
 * buffer of each thread and handed out once each: every nonce is still 96 fresh random bits, used for one message
 * only, at a fraction of the cost of a call to the random source per field.
 */
final class Aes {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Nonces drawn from the random source at once, per thread. */
    private static final int NONCES_PER_DRAW = 64;
    private static final ThreadLocal<NonceBuffer> NONCES = ThreadLocal.withInitial(NonceBuffer::new);
    /**
     * A cipher per thread: looking one up in the providers costs more than the encryption of a field, and a cipher
     * initialised again with the key it had last skips the key schedule. A cipher is never shared between threads.
     */
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new PersonalDataException("this JVM has no AES/GCM/NoPadding cipher: " + e.getMessage(), e);
        }
    });

    private Aes() {
    }

    static byte[] newKey() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    /** A fresh random nonce, never handed out before. */
    static byte[] newNonce() {
        return NONCES.get().next();
    }

    /** Random bytes for {@value #NONCES_PER_DRAW} nonces, each handed out once and then wiped from the buffer. */
    private static final class NonceBuffer {
        private final byte[] random = new byte[NONCE_BYTES * NONCES_PER_DRAW];
        private int next = random.length;

        byte[] next() {
            if (next == random.length) {
                RANDOM.nextBytes(random);
                next = 0;
            }
            byte[] nonce = Arrays.copyOfRange(random, next, next + NONCE_BYTES);
            Arrays.fill(random, next, next + NONCE_BYTES, (byte) 0);
            next += NONCE_BYTES;
            return nonce;
        }
    }

    /** The key object the cipher takes; immutable, so one can be kept and shared for many messages. */
    static SecretKeySpec key(byte[] key) {
        return new SecretKeySpec(key, "AES");
    }

    /** Ciphertext and tag of {@code plain} under the key and nonce, bound to {@code associated}. */
    static byte[] encrypt(SecretKeySpec key, byte[] nonce, byte[] plain, byte[] associated) {
        byte[] out = new byte[plain.length + TAG_BITS / 8];
        encrypt(key, nonce, plain, associated, out, 0);
        return out;
    }

    /**
     * Writes ciphertext and tag of {@code plain} under the key and nonce, bound to {@code associated}, into
     * {@code out} from {@code at}, which has room for {@code plain.length} bytes and the 16-byte tag.
     */
    static void encrypt(SecretKeySpec key, byte[] nonce, byte[] plain, byte[] associated, byte[] out, int at) {
        try {
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associated);
            cipher.doFinal(plain, 0, plain.length, out, at);
        } catch (GeneralSecurityException e) {
            throw new PersonalDataException("AES-256-GCM encryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * The plain text of the ciphertext and tag at {@code sealedAt} to the end of {@code in}, under the nonce at
     * {@code nonceAt} of {@code nonces}; null if the tag does not match: wrong key, altered ciphertext or other
     * associated data.
     */
    static byte[] decrypt(SecretKeySpec key, byte[] nonces, int nonceAt, byte[] in, int sealedAt, byte[] associated) {
        try {
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonces, nonceAt, NONCE_BYTES));
            cipher.updateAAD(associated);
            return cipher.doFinal(in, sealedAt, in.length - sealedAt);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new PersonalDataException("AES-256-GCM decryption failed: " + e.getMessage(), e);
        }
    }

    /** Nonce, then ciphertext and tag. */
    static byte[] seal(SecretKeySpec key, byte[] plain, byte[] associated) {
        byte[] nonce = newNonce();
        byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + plain.length + TAG_BITS / 8);
        encrypt(key, nonce, plain, associated, out, NONCE_BYTES);
        return out;
    }

    /** The plain text of {@link #seal} output, or null if it does not open. */
    static byte[] open(SecretKeySpec key, byte[] sealed, byte[] associated) {
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            return null;
        }
        return decrypt(key, sealed, 0, sealed, NONCE_BYTES, associated);
    }
}
