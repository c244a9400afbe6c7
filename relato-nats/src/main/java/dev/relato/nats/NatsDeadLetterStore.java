package dev.relato.nats;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import io.nats.client.JetStreamApiException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link DeadLetterStore} in a JetStream key-value bucket beside a {@link NatsEventStore}'s events
 * ({@link NatsEventStore#deadLetters()}, bucket {@code <stream>-dead-letters}): one key per projection and position,
 * {@code <base64url of the projection>.<position>}, holding the dead letter as JSON. Every read is answered by the
 * leader of the bucket's stream, so on a cluster it sees every write acknowledged before it; a removal is a
 * compare-and-set on the key's revision, so of two removals of one dead letter exactly one reports it removed.
 * Listing a projection's dead letters reads one message per dead letter it has (or had), without a consumer. A replay
 * request is a key {@code replay.<base64url of the projection>.<position>} (three tokens, so it never meets a dead
 * letter's key); adding or removing the dead letter deletes it.
 *
 * <p>Thread-safe. Transient failures surface as {@link StoreUnavailableException} and permanent ones as
 * {@link StoreFailureException}, by the allow-list and error classifier of the event store; an
 * {@link #add(DeadLetter) add} that fails transiently may or may not have been stored, and may be repeated. A dead
 * letter too large for one message of the server (an error text near the server's max payload) is refused with
 * {@link StoreFailureException}. It uses the event store's connection, and works while the event store is open.
 */
public final class NatsDeadLetterStore implements DeadLetterStore {
    /** Escapes every character outside ASCII, so that any text (even an unpaired surrogate) is stored as written. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    /** Removals that keep finding the dead letter changed under them give up after this many reads. */
    private static final int REMOVE_ATTEMPTS = 5;
    private static final String REPLAY = "replay.";

    private final KeyValueBucket kv;
    private final NatsFailures failures;
    private final long maxValueBytes;

    NatsDeadLetterStore(BucketSettings.Opened opened) {
        this.kv = opened.bucket();
        this.failures = opened.failures();
        this.maxValueBytes = opened.handle().connection().getMaxPayload() - Appender.HEADER_ALLOWANCE;
    }

    @Override
    public void add(DeadLetter deadLetter) {
        Objects.requireNonNull(deadLetter, "dead letter must not be null");
        byte[] value = encode(deadLetter);
        if (value.length > maxValueBytes) {
            throw new StoreFailureException("the dead letter of '" + deadLetter.projection() + "' at position "
                    + deadLetter.position() + " encodes to " + value.length + " bytes, more than one message of this NATS "
                    + "server carries (" + maxValueBytes + "); its error text is too long to keep", null);
        }
        try {
            kv.put(key(deadLetter.projection(), deadLetter.position()), value);
            kv.delete(REPLAY + key(deadLetter.projection(), deadLetter.position()), KeyValueBucket.ANY_REVISION);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate(what("storing", deadLetter.projection(), deadLetter.position()), e);
        }
    }

    @Override
    public List<DeadLetter> list(String projection) {
        CheckpointStore.validateName(projection);
        List<DeadLetter> letters = new ArrayList<>();
        try {
            for (KeyValueBucket.Entry entry : kv.list(Names.encode(projection) + ".*")) {
                letters.add(decode(entry));
            }
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("listing the dead letters of '" + projection + "'", e);
        }
        letters.sort(Comparator.comparingLong(DeadLetter::position));
        return List.copyOf(letters);
    }

    @Override
    public Optional<DeadLetter> find(String projection, long position) {
        CheckpointStore.validateName(projection);
        try {
            return kv.current(key(projection, position)).map(this::decode);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate(what("reading", projection, position), e);
        }
    }

    @Override
    public boolean remove(String projection, long position) {
        CheckpointStore.validateName(projection);
        String key = key(projection, position);
        try {
            kv.delete(REPLAY + key, KeyValueBucket.ANY_REVISION);
            for (int attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
                Optional<KeyValueBucket.Entry> entry = kv.current(key);
                if (entry.isEmpty()) {
                    return false;
                }
                if (kv.delete(key, entry.get().revision()).isPresent()) {
                    return true;
                }
            }
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate(what("removing", projection, position), e);
        }
        throw new StoreUnavailableException(what("removing", projection, position) + " failed: it was rewritten "
                + REMOVE_ATTEMPTS + " times while being removed; try again", null);
    }

    @Override
    public boolean requestReplay(String projection, long position) {
        if (find(projection, position).isEmpty()) {
            return false;
        }
        try {
            kv.put(REPLAY + key(projection, position), new byte[] {'1'});
            return true;
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate(what("asking for a replay of", projection, position), e);
        }
    }

    @Override
    public List<Long> replayRequests(String projection) {
        CheckpointStore.validateName(projection);
        String prefix = REPLAY + Names.encode(projection) + '.';
        List<Long> positions = new ArrayList<>();
        try {
            for (KeyValueBucket.Entry entry : kv.list(prefix + "*")) {
                positions.add(Long.parseLong(entry.key().substring(prefix.length())));
            }
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("listing the replay requests of '" + projection + "'", e);
        }
        positions.sort(Comparator.naturalOrder());
        return List.copyOf(positions);
    }

    /** The key-value bucket holding the dead letters. */
    public String bucket() {
        return kv.name();
    }

    private static String key(String projection, long position) {
        return Names.encode(projection) + '.' + position;
    }

    private static String what(String doing, String projection, long position) {
        return doing + " the dead letter of '" + projection + "' at position " + position;
    }

    private static byte[] encode(DeadLetter letter) {
        ObjectNode node = JSON.createObjectNode();
        node.put("projection", letter.projection());
        node.put("position", letter.position());
        node.put("eventId", letter.eventId().toString());
        node.put("category", letter.streamId().category());
        node.put("id", letter.streamId().id());
        node.put("streamVersion", letter.streamVersion());
        node.put("type", letter.type());
        node.put("error", letter.error());
        node.put("stackTrace", letter.stackTrace());
        node.put("attempts", letter.attempts());
        node.put("failedAt", letter.failedAt().toString());
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a dead letter could not be encoded", e);
        }
    }

    private DeadLetter decode(KeyValueBucket.Entry entry) {
        try {
            JsonNode node = JSON.readTree(entry.value());
            return new DeadLetter(text(node, "projection"), node.get("position").asLong(),
                    UUID.fromString(text(node, "eventId")), new StreamId(text(node, "category"), text(node, "id")),
                    node.get("streamVersion").asLong(), text(node, "type"), text(node, "error"), text(node, "stackTrace"),
                    node.get("attempts").asInt(), Instant.parse(text(node, "failedAt")));
        } catch (IOException | RuntimeException e) {
            throw new StoreFailureException("the dead letter under key '" + entry.key() + "' of bucket '" + kv.name()
                    + "' is not readable; remove it with the NATS tools (nats kv del " + kv.name() + " " + entry.key()
                    + "): " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' is missing or not text");
        }
        return value.asText();
    }
}
