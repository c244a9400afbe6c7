package dev.relato.examples.orders;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * What an idempotency key stands for. A command sent with a key gets its event ids (and the id of the order or
 * line it creates) from the key as name-based UUIDs, so a retry of the same command produces the same ids: the
 * store finds them already in the stream and the first outcome is answered again, across restarts too, with
 * nothing kept in memory. The events also carry the key and a digest of the command in their metadata, so the
 * same key sent with another command is recognized and refused.
 *
 * <p>Keys are global to the service: clients should use a new UUID per operation. Stateless and thread-safe.
 */
public final class IdempotencyKeys {
    /** The events' metadata entry holding the key. */
    public static final String KEY_ENTRY = "idempotencyKey";
    /** The events' metadata entry holding the digest of the command. */
    public static final String DIGEST_ENTRY = "commandDigest";
    /** Keys are 1 to this many printable ASCII characters. */
    public static final int MAX_LENGTH = 200;
    private static final String NAMESPACE = "relato-orders/";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private IdempotencyKeys() {
    }

    /** What is wrong with a key, if anything: it must be 1 to {@value #MAX_LENGTH} printable ASCII characters. */
    public static Optional<String> problem(String key) {
        if (key.isEmpty() || key.length() > MAX_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return Optional.of("an idempotency key must be 1 to " + MAX_LENGTH
                    + " printable ASCII characters without spaces, such as a UUID");
        }
        return Optional.empty();
    }

    /** The id of the {@code index}-th event (from 0) of the command sent with {@code key}. */
    public static UUID eventId(String key, int index) {
        return name("event/" + index + "/" + key);
    }

    /** The id of the order placed by the command sent with {@code key}. */
    public static String orderId(String key) {
        return name("order/" + key).toString();
    }

    /** The id of the line added by the command sent with {@code key}. */
    public static String lineId(String key) {
        return name("line/" + key).toString();
    }

    /** A digest of the command (its type and every field), to tell a retry from another command under one key. */
    public static String digest(OrderCommand command) {
        try {
            byte[] text = (command.getClass().getSimpleName() + JSON.writeValueAsString(command))
                    .getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest " + command.getClass().getSimpleName(), e);
        }
    }

    private static UUID name(String name) {
        return UUID.nameUUIDFromBytes((NAMESPACE + name).getBytes(StandardCharsets.UTF_8));
    }
}
