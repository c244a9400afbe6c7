package dev.relato.nats;

import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.PublishAck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The durable index of event ids: a key-value bucket mapping each stored event id to the JetStream sequence
 * of the message holding it. It outlives JetStream's duplicate window, so a retried or misplaced event id
 * is recognised however long ago it was first appended. Entries are written right after the message is
 * stored; the message is the truth and the index only points at it. Thread-safe.
 */
final class EventIdIndex {
    private final KeyValue kv;
    private final JetStream js;
    private final String subjectPrefix;
    private final Duration timeout;

    EventIdIndex(KeyValue kv, JetStream js, String bucket, Duration timeout) {
        this.kv = kv;
        this.js = js;
        this.subjectPrefix = "$KV." + bucket + ".";
        this.timeout = timeout;
    }

    /** The sequence of the message holding {@code eventId}, if it is indexed. */
    Optional<Long> find(UUID eventId) throws IOException, JetStreamApiException {
        KeyValueEntry entry = kv.get(eventId.toString());
        if (entry == null || entry.getOperation() != KeyValueOperation.PUT || entry.getValue() == null) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(entry.getValueAsString()));
    }

    /** Indexes every id at {@code sequence}; the puts travel together and are all awaited. */
    void record(List<UUID> eventIds, long sequence) throws IOException, InterruptedException {
        byte[] value = Long.toString(sequence).getBytes(StandardCharsets.US_ASCII);
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>(eventIds.size());
        for (UUID id : eventIds) {
            acks.add(js.publishAsync(subjectPrefix + id, value));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CompletableFuture<PublishAck> ack : acks) {
            try {
                ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new IOException("event id index write failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("event id index write not acknowledged within " + timeout, e);
            }
        }
    }
}
