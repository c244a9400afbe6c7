package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.privacy.PersonalDataException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The customers' names on SQLite: encrypted in the file, under a development key generated beside it when no key is
 * set, which a wrong key cannot open.
 */
class SqlitePersonalDataTest {
    private static final String NAME = "Zebedee Quixote-Plaintext";

    @TempDir
    Path directory;

    @Test
    void theDatabaseFileHoldsNoPlainTextOfTheNameAndAWrongKeyFailsAtStart() throws Exception {
        OrdersApp.Settings settings = OrdersApp.Settings.of(OrdersApp.Store.SQLITE)
                .withUrl(directory.resolve("orders.db").toString());
        String id;
        try (OrdersApp app = OrdersApp.start(settings)) {
            OrdersClient client = new OrdersClient(app.url());
            OrdersClient.Reply placed = client.post("/orders", "{\"customer\":\"c-raw\",\"customerName\":\"" + NAME
                    + "\"}");
            assertThat(placed.status()).isEqualTo(201);
            id = placed.json().get("id").asText();
            assertThat(client.get("/orders/" + id).json().get("customerName").asText()).isEqualTo(NAME);
            assertThat(rawFiles()).contains("c-raw").doesNotContain(NAME);
        }
        assertThat(rawFiles()).contains("c-raw").doesNotContain(NAME);
        Path developmentKey = directory.resolve("orders.db.kek");
        assertThat(developmentKey).exists();

        Path wrong = Files.writeString(directory.resolve("wrong.key"),
                Base64.getEncoder().encodeToString(new byte[32]));
        long before = Files.size(directory.resolve("orders.db"));
        assertThatThrownBy(() -> OrdersApp.start(settings.withKeyFile(wrong)))
                .isInstanceOf(PersonalDataException.class)
                .hasMessageContaining("key file " + wrong)
                .hasMessageContaining("not the key they were wrapped with");

        try (OrdersApp app = OrdersApp.start(settings.withKeyFile(developmentKey))) {
            OrdersClient client = new OrdersClient(app.url());
            assertThat(client.get("/orders/" + id).json().get("customerName").asText()).isEqualTo(NAME);
            assertThat(client.delete("/customers/c-raw/personal-data").status()).isEqualTo(204);
            assertThat(client.get("/orders/" + id).json().get("customerName").asText()).isEqualTo("[erased]");
        }
        assertThat(Files.size(directory.resolve("orders.db"))).isGreaterThanOrEqualTo(before);
        try (OrdersApp app = OrdersApp.start(settings)) {
            OrdersClient client = new OrdersClient(app.url());
            assertThat(client.get("/orders/" + id).json().get("customerName").asText()).isEqualTo("[erased]");
        }
    }

    @Test
    void postgresAndNatsWithoutAKeySayWhichToSet() {
        assertThatThrownBy(() -> OrdersKeys.keyEncryptionKey(OrdersApp.Settings.of(OrdersApp.Store.NATS),
                variable -> null, Optional.empty()))
                .isInstanceOf(PersonalDataException.class)
                .hasMessageContaining(OrdersKeys.KEK_VARIABLE).hasMessageContaining(OrdersKeys.KEK_FILE_VARIABLE);
        assertThat(OrdersKeys.keyEncryptionKey(OrdersApp.Settings.of(OrdersApp.Store.POSTGRES),
                variable -> variable.equals(OrdersKeys.KEK_VARIABLE)
                        ? Base64.getEncoder().encodeToString(new byte[32]) : null, Optional.empty())
                .description()).isEqualTo("environment variable " + OrdersKeys.KEK_VARIABLE);
    }

    /** Every byte of the database file, its write-ahead log and the rest of the directory but the key files. */
    private String rawFiles() throws Exception {
        StringBuilder bytes = new StringBuilder();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> !f.toString().endsWith(".kek")).toList()) {
                bytes.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        return bytes.toString();
    }
}
