package dev.relato.nats;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.StoreFailureException;
import dev.relato.process.Deadline;
import dev.relato.process.DeadlineStore;
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
 * A {@link DeadlineStore} in a JetStream key-value bucket beside the events ({@code <stream>-deadlines}), obtained
 * from {@link NatsEventStore#deadlines()}: one key per deadline ({@code <process>.<id>}, the process name in base64url)
 * holding its instance, name and due time as JSON. Removing a deadline as it was due is a compare-and-set on the
 * key's revision, so a deadline moved meanwhile is kept.
 *
 * <p>Thread-safe. Transient failures surface as {@link dev.relato.StoreUnavailableException} and permanent ones as
 * {@link StoreFailureException}, by the same allow-list as {@link NatsEventStore}. Finding the due deadlines reads
 * every deadline of the process, one request each: sized for the deadlines waiting at one time, not for millions.
 */
public final class NatsDeadlineStore implements DeadlineStore {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private final KeyValueBucket kv;
    private final NatsFailures failures;

    NatsDeadlineStore(BucketSettings.Opened opened) {
        this.kv = opened.bucket();
        this.failures = opened.failures();
    }

    @Override
    public void schedule(Deadline deadline) {
        Objects.requireNonNull(deadline, "deadline must not be null");
        ObjectNode value = JSON.createObjectNode().put("process", deadline.process())
                .put("instance", deadline.instance()).put("name", deadline.name())
                .put("due", deadline.due().toEpochMilli());
        try {
            kv.put(key(deadline.process(), deadline.id()), JSON.writeValueAsBytes(value));
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("scheduling deadline " + deadline.id(), e);
        }
    }

    @Override
    public boolean cancel(UUID id) {
        Objects.requireNonNull(id, "id must not be null");
        try {
            boolean found = false;
            for (KeyValueBucket.Entry entry : kv.list("*." + id)) {
                kv.delete(entry.key(), KeyValueBucket.ANY_REVISION);
                found = true;
            }
            return found;
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("cancelling deadline " + id, e);
        }
    }

    @Override
    public Optional<Deadline> find(UUID id) {
        Objects.requireNonNull(id, "id must not be null");
        try {
            List<KeyValueBucket.Entry> entries = kv.list("*." + id);
            return entries.isEmpty() ? Optional.empty() : Optional.of(deadline(entries.get(0)));
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("looking up deadline " + id, e);
        }
    }

    @Override
    public List<Deadline> due(String process, Instant now, int limit) {
        DeadlineStore.checkDue(process, now, limit);
        try {
            List<Deadline> due = new ArrayList<>();
            for (KeyValueBucket.Entry entry : kv.list(Names.encode(process) + ".*")) {
                Deadline deadline = deadline(entry);
                if (!deadline.due().isAfter(now)) {
                    due.add(deadline);
                }
            }
            due.sort(Comparator.comparing(Deadline::due).thenComparing(Deadline::id));
            return List.copyOf(due.subList(0, Math.min(limit, due.size())));
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("looking up the due deadlines of '" + process + "'", e);
        }
    }

    @Override
    public boolean remove(Deadline deadline) {
        Objects.requireNonNull(deadline, "deadline must not be null");
        String key = key(deadline.process(), deadline.id());
        try {
            Optional<KeyValueBucket.Entry> entry = kv.current(key);
            if (entry.isEmpty() || !deadline(entry.get()).equals(deadline)) {
                return false;
            }
            return kv.delete(key, entry.get().revision()).isPresent();
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("removing deadline " + deadline.id(), e);
        }
    }

    private static String key(String process, UUID id) {
        return Names.encode(process) + "." + id;
    }

    private static Deadline deadline(KeyValueBucket.Entry entry) {
        try {
            JsonNode value = JSON.readTree(entry.value());
            return Deadline.of(value.get("process").asText(), value.get("instance").asText(),
                    value.get("name").asText(), Instant.ofEpochMilli(value.get("due").asLong()));
        } catch (IOException | RuntimeException e) {
            throw new StoreFailureException("deadline '" + entry.key() + "' holds no readable deadline; delete it", e);
        }
    }

    @Override
    public String toString() {
        return "NatsDeadlineStore[" + kv.name() + "]";
    }
}
