package dev.relato.nats;

import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
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
 * stored; the message is the truth and the index only points at it. Lookups and writes of one append travel
 * together. Thread-safe.
 */
final class EventIdIndex {
    private final JetStream js;
    private final MessageRequests requests;
    private final String bucketStream;
    private final String subjectPrefix;
    private final Duration timeout;

    EventIdIndex(JetStream js, MessageRequests requests, String bucket, Duration timeout) {
        this.js = js;
        this.requests = requests;
        this.bucketStream = "KV_" + bucket;
        this.subjectPrefix = "$KV." + bucket + ".";
        this.timeout = timeout;
    }

    /** Sends the lookups of these ids; {@link #sequence(CompletableFuture)} reads each answer. */
    List<CompletableFuture<Message>> lookUp(List<UUID> eventIds) {
        List<CompletableFuture<Message>> answers = new ArrayList<>(eventIds.size());
        for (UUID id : eventIds) {
            answers.add(requests.lastOf(bucketStream, subjectPrefix + id));
        }
        return answers;
    }

    /** The sequence of the message holding the looked-up id, if it is indexed. */
    Optional<Long> sequence(CompletableFuture<Message> answer)
            throws IOException, JetStreamApiException, InterruptedException {
        Optional<MessageInfo> entry = requests.await(answer);
        if (entry.isEmpty() || entry.get().getData() == null || entry.get().getData().length == 0) {
            return Optional.empty(); // absent, or a delete marker
        }
        return Optional.of(Long.parseLong(new String(entry.get().getData(), StandardCharsets.US_ASCII)));
    }

    /** Indexes every id at {@code sequence}; the writes travel together and are all awaited. */
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
