package dev.relato.privacy;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;

/** A 256-bit AES key-encryption key held in memory; wraps with AES-256-GCM. Thread-safe. */
final class AesKeyEncryptionKey implements KeyEncryptionKey {
    private final SecretKeySpec key;
    private final String description;

    AesKeyEncryptionKey(byte[] key, String description) {
        Objects.requireNonNull(key, "key");
        this.description = Objects.requireNonNull(description, "description");
        if (key.length != Aes.KEY_BYTES) {
            throw new PersonalDataException("no key-encryption key: " + description + " holds " + key.length
                    + " bytes; an AES-256 key is 32 bytes");
        }
        this.key = Aes.key(key);
    }

    @Override
    public byte[] wrap(byte[] dataKey, UUID keyId, String subject) {
        return Aes.seal(key, dataKey, associated(keyId, subject));
    }

    @Override
    public byte[] unwrap(byte[] wrapped, UUID keyId, String subject) {
        return Aes.open(key, wrapped, associated(keyId, subject));
    }

    private static byte[] associated(UUID keyId, String subject) {
        return ("relato-data-key-v1\n" + keyId + "\n" + subject).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return "KeyEncryptionKey[" + description + "]";
    }
}
