package dev.relato.nats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.StoreFailureException;
import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.WrappedKey;
import io.nats.client.JetStreamApiException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link DataKeyStore} in a JetStream key-value bucket beside the events ({@code <stream>-data-keys}, one value
 * per key): one key per data key, {@code <base64url of the subject>.<key id>}, holding the subject, the wrapped
 * key (base64) and its creation time as JSON. Destroying a subject writes delete markers over its keys; with one
 * value per key, the wrapped key itself is gone from the bucket. Obtained from {@link NatsEventStore#dataKeys()}.
 *
 * <p>Thread-safe. Transient failures surface as {@link dev.relato.StoreUnavailableException} and permanent ones
 * as {@link StoreFailureException}, by the same allow-list as {@link NatsEventStore}. Reads are answered by the
 * bucket stream's leader.
 *
 * <p>A put into the bucket and a publish to the event stream cannot be made atomic, so a personal data store over
 * a NATS event store stores a subject's first key here before it appends the events that use it: events are never
 * stored without their key, and an append that then fails leaves the key behind, unused and harmless (it is the
 * subject's newest key, which its next append uses).
 */
public final class NatsDataKeyStore implements DataKeyStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<WrappedKey> AGE =
            Comparator.comparing(WrappedKey::createdAt).thenComparing(k -> k.keyId().toString());

    private final KeyValueBucket kv;
    private final NatsFailures failures;

    NatsDataKeyStore(BucketSettings.Opened opened) {
        this.kv = opened.bucket();
        this.failures = opened.failures();
    }

    private interface Call<T> {
        T run() throws IOException, JetStreamApiException, InterruptedException;
    }

    private <T> T call(String what, Call<T> call) {
        try {
            return call.run();
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate(what, e);
        }
    }

    private static String key(String subject, UUID keyId) {
        return Names.encode(subject) + "." + keyId;
    }

    @Override
    public Optional<WrappedKey> newest(String subject) {
        return keysOf(subject).stream().max(AGE);
    }

    @Override
    public Optional<WrappedKey> find(UUID keyId) {
        Objects.requireNonNull(keyId, "keyId");
        return call("reading data key " + keyId, () -> kv.list("*." + keyId)).stream().findFirst().map(this::decode);
    }

    @Override
    public List<WrappedKey> keysOf(String subject) {
        Objects.requireNonNull(subject, "subject");
        List<WrappedKey> keys = new ArrayList<>();
        for (KeyValueBucket.Entry e : call("reading the data keys of a subject",
                () -> kv.list(Names.encode(subject) + ".*"))) {
            keys.add(decode(e));
        }
        keys.sort(AGE);
        return keys;
    }

    @Override
    public List<UUID> keyIds() {
        List<UUID> ids = new ArrayList<>();
        for (KeyValueBucket.Entry e : call("listing data key ids", () -> kv.list("*.*"))) {
            ids.add(UUID.fromString(e.key().substring(e.key().indexOf('.') + 1)));
        }
        return ids;
    }

    @Override
    public void add(WrappedKey key) {
        Objects.requireNonNull(key, "key");
        byte[] value = encode(key.subject(), key.wrapped(), key.createdAt());
        call("storing data key " + key.keyId(), () -> kv.update(key(key.subject(), key.keyId()), value, 0));
    }

    @Override
    public boolean rewrap(UUID keyId, byte[] wrapped) {
        Objects.requireNonNull(wrapped, "wrapped");
        Optional<KeyValueBucket.Entry> entry = call("reading data key " + keyId, () -> kv.list("*." + keyId))
                .stream().findFirst();
        if (entry.isEmpty()) {
            return false;
        }
        WrappedKey k = decode(entry.get());
        byte[] value = encode(k.subject(), wrapped, k.createdAt());
        return call("re-wrapping data key " + keyId,
                () -> kv.update(entry.get().key(), value, entry.get().revision())).isPresent();
    }

    @Override
    public int destroy(String subject) {
        Objects.requireNonNull(subject, "subject");
        int count = 0;
        for (KeyValueBucket.Entry e : call("reading the data keys of a subject",
                () -> kv.list(Names.encode(subject) + ".*"))) {
            call("destroying data key " + e.key(), () -> kv.delete(e.key(), KeyValueBucket.ANY_REVISION));
            count++;
        }
        return count;
    }

    private static byte[] encode(String subject, byte[] wrapped, Instant createdAt) {
        ObjectNode node = JSON.createObjectNode();
        node.put("subject", subject);
        node.put("wrapped", Base64.getEncoder().encodeToString(wrapped));
        node.put("createdAt", createdAt.toString());
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("data key could not be encoded", e);
        }
    }

    private WrappedKey decode(KeyValueBucket.Entry entry) {
        try {
            JsonNode node = JSON.readTree(entry.value());
            UUID id = UUID.fromString(entry.key().substring(entry.key().indexOf('.') + 1));
            return new WrappedKey(id, node.get("subject").asText(),
                    Base64.getDecoder().decode(node.get("wrapped").asText()),
                    Instant.parse(node.get("createdAt").asText()));
        } catch (IOException | RuntimeException e) {
            throw new StoreFailureException("data key '" + entry.key() + "' in bucket '" + kv.name()
                    + "' is not readable: " + e.getMessage(), e);
        }
    }
}
