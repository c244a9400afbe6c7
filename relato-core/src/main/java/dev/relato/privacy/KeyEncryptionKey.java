package dev.relato.privacy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

/**
 * The key that wraps (encrypts) every data key before a {@link DataKeyStore} stores it. It never touches the event
 * store. Implement this interface to wrap with a cloud KMS or an HSM; the factories here hold a 256-bit AES key in
 * memory and wrap with AES-256-GCM, binding each wrapped key to its key id and subject.
 *
 * <p>Implementations must be thread-safe. {@link #unwrap} returns null (never throws) when the wrapped bytes do not
 * open with this key, so that a {@link PersonalDataStore} can say which key is wrong.
 */
public interface KeyEncryptionKey {
    /** Bytes of a wrapped data key, bound to its id and subject. */
    byte[] wrap(byte[] dataKey, UUID keyId, String subject);

    /** The data key, or null if {@code wrapped} does not open with this key (a wrong key, or altered bytes). */
    byte[] unwrap(byte[] wrapped, UUID keyId, String subject);

    /** A description for messages and logs that shows no key material, such as "environment variable RELATO_KEK". */
    String description();

    /**
     * A key of 32 bytes.
     *
     * @throws PersonalDataException if it is not 32 bytes long
     */
    static KeyEncryptionKey of(byte[] key, String description) {
        return new AesKeyEncryptionKey(key, description);
    }

    /**
     * The key in an environment variable, as base64 of 32 bytes (generate one with {@code openssl rand -base64 32}).
     *
     * @throws PersonalDataException naming the variable if it is unset, not base64 or not 32 bytes
     */
    static KeyEncryptionKey fromEnvironment(String variable) {
        Objects.requireNonNull(variable, "variable");
        String value = System.getenv(variable);
        String description = "environment variable " + variable;
        if (value == null || value.isBlank()) {
            throw new PersonalDataException("no key-encryption key: " + description + " is not set; set it to the"
                    + " base64 of 32 random bytes (openssl rand -base64 32)");
        }
        return fromBase64(value, description);
    }

    /**
     * The key in a file holding base64 of 32 bytes.
     *
     * @throws PersonalDataException naming the file if it cannot be read, is not base64 or not 32 bytes
     */
    static KeyEncryptionKey fromFile(Path file) {
        Objects.requireNonNull(file, "file");
        String description = "key file " + file;
        String text;
        try {
            if (Files.size(file) > 4096) {
                throw new PersonalDataException("no key-encryption key: " + description + " is larger than 4096"
                        + " bytes; it must hold the base64 of 32 bytes");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new PersonalDataException("no key-encryption key: " + description + " cannot be read: " + e, e);
        }
        return fromBase64(text, description);
    }

    /**
     * The AES key under {@code alias} in a PKCS#12 key store (create one with
     * {@code keytool -genseckey -keyalg AES -keysize 256 -storetype PKCS12}).
     *
     * @throws PersonalDataException naming the file and alias if the key store cannot be opened (wrong password,
     *                               not PKCS#12), has no such entry, or the entry is not a 256-bit AES key
     */
    static KeyEncryptionKey fromPkcs12(Path file, char[] password, String alias) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(alias, "alias");
        String description = "PKCS#12 key store " + file + ", alias '" + alias + "'";
        Key key;
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            key = store.getKey(alias, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new PersonalDataException("no key-encryption key: " + description + " cannot be opened (wrong"
                    + " password, or not a PKCS#12 file): " + e.getMessage(), e);
        }
        if (key == null) {
            throw new PersonalDataException("no key-encryption key: " + description + " has no such key entry");
        }
        if (!"AES".equalsIgnoreCase(key.getAlgorithm()) || key.getEncoded() == null) {
            throw new PersonalDataException("no key-encryption key: " + description + " holds a "
                    + key.getAlgorithm() + " key; it must be a 256-bit AES key");
        }
        return of(key.getEncoded(), description);
    }

    private static KeyEncryptionKey fromBase64(String text, String description) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new PersonalDataException("no key-encryption key: " + description + " is not base64", e);
        }
        return of(key, description);
    }
}
