package dev.relato.privacy;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A data key as a {@link DataKeyStore} keeps it: wrapped by the key-encryption key, never in plain text.
 *
 * @param keyId     the key's id, written beside every ciphertext made with it
 * @param subject   whose key it is
 * @param wrapped   the key, encrypted by the key-encryption key
 * @param createdAt when it was made; a subject's newest key encrypts new data
 */
public record WrappedKey(UUID keyId, String subject, byte[] wrapped, Instant createdAt) {
    public WrappedKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(subject, "subject");
        wrapped = Objects.requireNonNull(wrapped, "wrapped").clone();
        Objects.requireNonNull(createdAt, "createdAt");
    }

    @Override
    public byte[] wrapped() {
        return wrapped.clone();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof WrappedKey k && keyId.equals(k.keyId) && subject.equals(k.subject)
                && Arrays.equals(wrapped, k.wrapped) && createdAt.equals(k.createdAt);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode();
    }

    @Override
    public String toString() {
        return "WrappedKey[" + keyId + ", subject=" + subject + ", createdAt=" + createdAt + "]";
    }
}
