package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalDataException;
import dev.relato.privacy.PersonalDataStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The personal data of the Orders service: the customer's name in {@code OrderPlaced} is encrypted under a data key
 * of the customer, kept beside the events, and wrapped by a key-encryption key from outside them. The key is, in
 * this order: the file of {@code --key-file}; the environment variable {@value #KEK_VARIABLE} (base64 of 32 bytes);
 * the file named by {@value #KEK_FILE_VARIABLE}; for SQLite, a development key generated at the first start and
 * kept in a file beside the database ({@code <database>.kek}); in memory, a random key. PostgreSQL and NATS need
 * one of the first three. Stateless and thread-safe.
 */
public final class OrdersKeys {
    /** The environment variable holding the key-encryption key as base64 of 32 bytes. */
    public static final String KEK_VARIABLE = "RELATO_ORDERS_KEK";
    /** The environment variable naming a file holding the key-encryption key as base64 of 32 bytes. */
    public static final String KEK_FILE_VARIABLE = "RELATO_ORDERS_KEK_FILE";
    private static final Logger LOG = LoggerFactory.getLogger(OrdersKeys.class);

    private OrdersKeys() {
    }

    /**
     * The key-encryption key for {@code settings}, reading the environment through {@code environment}.
     *
     * @param sqliteFile the SQLite database file, for SQLite
     * @throws PersonalDataException naming the source if the key cannot be read or is not 32 bytes of base64, or
     *                               if PostgreSQL or NATS is chosen without a key
     */
    static KeyEncryptionKey keyEncryptionKey(OrdersApp.Settings settings, UnaryOperator<String> environment,
                                             Optional<Path> sqliteFile) {
        return keyEncryptionKey(settings.store(), settings.keyFile(), environment, sqliteFile);
    }

    /**
     * The key-encryption key for a service on {@code store}, from {@code keyFile} if given, else from the
     * environment (read through {@code environment}), else generated as the class describes.
     *
     * @param sqliteFile the SQLite database file, for SQLite
     * @throws PersonalDataException naming the source if the key cannot be read or is not 32 bytes of base64, or
     *                               if PostgreSQL or NATS is chosen without a key
     */
    public static KeyEncryptionKey keyEncryptionKey(OrdersApp.Store store, Optional<Path> keyFile,
                                                    UnaryOperator<String> environment, Optional<Path> sqliteFile) {
        if (keyFile.isPresent()) {
            return KeyEncryptionKey.fromFile(keyFile.get());
        }
        String value = environment.apply(KEK_VARIABLE);
        if (value != null && !value.isBlank()) {
            return fromBase64(value, "environment variable " + KEK_VARIABLE);
        }
        String file = environment.apply(KEK_FILE_VARIABLE);
        if (file != null && !file.isBlank()) {
            return KeyEncryptionKey.fromFile(Path.of(file));
        }
        return switch (store) {
            case SQLITE -> developmentKey(Path.of(sqliteFile.orElseThrow() + ".kek"));
            case MEMORY -> KeyEncryptionKey.of(randomKey(), "a random key held in memory");
            case POSTGRES, NATS -> throw new PersonalDataException("no key-encryption key for the customers' personal"
                    + " data: set " + KEK_VARIABLE + " to the base64 of 32 random bytes (openssl rand -base64 32), or "
                    + KEK_FILE_VARIABLE + " or --key-file to a file holding it");
        };
    }

    /** The store with the customers' names encrypted: every read, projection and subscription sees them decrypted. */
    static PersonalDataStore wrap(EventStore store, DataKeyStore keys, KeyEncryptionKey kek) {
        return PersonalDataStore.builder(store).keyStore(keys).keyEncryptionKey(kek)
                .types(OrdersService.serializer().types()).build();
    }

    private static KeyEncryptionKey fromBase64(String text, String description) {
        try {
            return KeyEncryptionKey.of(Base64.getDecoder().decode(text.strip()), description);
        } catch (IllegalArgumentException e) {
            throw new PersonalDataException("no key-encryption key: " + description + " is not base64", e);
        }
    }

    /** The development key in {@code file}, generated there on first use. */
    private static KeyEncryptionKey developmentKey(Path file) {
        if (Files.notExists(file)) {
            byte[] text = Base64.getEncoder().encode(randomKey());
            try {
                Files.write(file, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the file keeps its default permissions
                }
                LOG.warn("generated a development key-encryption key in {}", file);
            } catch (FileAlreadyExistsException e) {
                // another process generated it first: read theirs
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the development key-encryption key " + file, e);
            }
        }
        LOG.warn("no {} or {} set: the customers' personal data is encrypted with the DEVELOPMENT key kept beside the"
                + " database in {}; anyone with both files can read it. Set a key of your own outside development",
                KEK_VARIABLE, KEK_FILE_VARIABLE, file);
        return KeyEncryptionKey.fromFile(file);
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
