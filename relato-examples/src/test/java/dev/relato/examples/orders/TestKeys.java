package dev.relato.examples.orders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** A key-encryption key file for the stores that need one set (PostgreSQL, NATS). */
final class TestKeys {
    private TestKeys() {
    }

    /** A new temporary file holding a fixed test key, deleted at exit. */
    static Path file() {
        try {
            Path file = Files.createTempFile("relato-orders-", ".key");
            file.toFile().deleteOnExit();
            byte[] key = new byte[32];
            key[0] = 7;
            return Files.writeString(file, Base64.getEncoder().encodeToString(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
