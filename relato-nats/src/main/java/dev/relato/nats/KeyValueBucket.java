package dev.relato.nats;

import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A JetStream key-value bucket as the NATS stores use it, consistent on a cluster: every read is a message get
 * answered by the leader of the bucket's stream ({@link MessageRequests}), never a direct get, which any replica
 * may answer from a state behind the leader's; every conditional write is a publish carrying the revision the key
 * must still have, which the leader checks, so it is a compare-and-set. A key's revision is the sequence of its
 * last message in the bucket's stream; 0 means it never had one. Thread-safe.
 */
final class KeyValueBucket {
    /** For {@link #send}: write whatever the key holds. */
    static final long ANY_REVISION = -1;
    private static final String OPERATION = "KV-Operation";
    private static final String EXPECTED_REVISION = "Nats-Expected-Last-Subject-Sequence";

    /**
     * What a key's last message holds.
     *
     * @param key      the key
     * @param value    its value; empty for a deleted key
     * @param revision the message's sequence in the bucket's stream
     * @param deleted  whether the message is a delete (or purge) marker
     */
    record Entry(String key, byte[] value, long revision, boolean deleted) {
    }

    private final JetStream js;
    private final MessageRequests requests;
    private final String name;
    private final String stream;
    private final String subjectPrefix;
    private final Duration timeout;

    KeyValueBucket(JetStream js, MessageRequests requests, String name, Duration timeout) {
        this.js = js;
        this.requests = requests;
        this.name = name;
        this.stream = "KV_" + name;
        this.subjectPrefix = "$KV." + name + ".";
        this.timeout = timeout;
    }

    /** The bucket's name. */
    String name() {
        return name;
    }

    /** Asks for a key's last message; {@link #entryOf} reads the answer. Several may travel at once. */
    CompletableFuture<Message> ask(String key) {
        return requests.lastOf(stream, subjectPrefix + key);
    }

    /** The key's last message, from an answer of {@link #ask}; empty if the key never had one. */
    Optional<Entry> entryOf(CompletableFuture<Message> answer)
            throws IOException, JetStreamApiException, InterruptedException {
        return requests.await(answer).map(this::entry);
    }

    /** The key's last message, deleted or not; empty if the key never had one. */
    Optional<Entry> get(String key) throws IOException, JetStreamApiException, InterruptedException {
        return entryOf(ask(key));
    }

    /** The key's value, if it has one (a deleted key has none). */
    Optional<Entry> current(String key) throws IOException, JetStreamApiException, InterruptedException {
        return get(key).filter(e -> !e.deleted());
    }

    /**
     * Every key matching {@code pattern} (key tokens, {@code *} for one token) that has a value, in the order they
     * were last written; read with one get per key, from the leader.
     */
    List<Entry> list(String pattern) throws IOException, JetStreamApiException, InterruptedException {
        List<Entry> entries = new ArrayList<>();
        for (Entry entry : changesAfter(pattern, 0)) {
            if (!entry.deleted()) {
                entries.add(entry);
            }
        }
        return entries;
    }

    /**
     * The last messages of the keys matching {@code pattern} written after revision {@code afterRevision}, deletes
     * included, in the order they were written; read with one get per key (and one more), from the leader.
     */
    List<Entry> changesAfter(String pattern, long afterRevision)
            throws IOException, JetStreamApiException, InterruptedException {
        List<Entry> entries = new ArrayList<>();
        long next = afterRevision + 1;
        while (true) {
            Optional<MessageInfo> message = requests.await(requests.nextOf(stream, subjectPrefix + pattern, next));
            if (message.isEmpty()) {
                return entries;
            }
            entries.add(entry(message.get()));
            next = message.get().getSeq() + 1;
        }
    }

    /** Writes a value for a key whatever it holds, and returns the new revision. */
    long put(String key, byte[] value) throws IOException, JetStreamApiException, InterruptedException {
        return revisionOf(send(key, value, ANY_REVISION, false), deadline())
                .orElseThrow(() -> new IllegalStateException("an unconditional write was refused as a conflict"));
    }

    /**
     * Writes a value for a key if its revision is still {@code revision} (0: if it never had a message).
     *
     * @return the new revision, or empty if the key has changed
     */
    Optional<Long> update(String key, byte[] value, long revision)
            throws IOException, JetStreamApiException, InterruptedException {
        return revisionOf(send(key, value, revision, false), deadline());
    }

    /**
     * Deletes a key (writes a delete marker) if its revision is still {@code revision}.
     *
     * @return the marker's revision, or empty if the key has changed
     */
    Optional<Long> delete(String key, long revision) throws IOException, JetStreamApiException, InterruptedException {
        return revisionOf(send(key, new byte[0], revision, true), deadline());
    }

    /**
     * Publishes a value (or a delete marker) for a key, if the key's revision is {@code expectedRevision} (0: if it
     * never had a message), or unconditionally for {@link #ANY_REVISION}; not awaited.
     */
    CompletableFuture<PublishAck> send(String key, byte[] value, long expectedRevision, boolean delete) {
        Headers headers = new Headers();
        if (delete) {
            headers.put(OPERATION, "DEL");
        }
        if (expectedRevision != ANY_REVISION) {
            headers.put(EXPECTED_REVISION, Long.toString(expectedRevision));
        }
        return js.publishAsync(subjectPrefix + key, headers, value);
    }

    /** A deadline one request timeout from now, for {@link #revisionOf}. */
    long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    /**
     * The revision a write of {@link #send} got, or empty if its compare-and-set found the key changed.
     *
     * @param deadline by {@link System#nanoTime()}
     * @throws IOException           if it was not acknowledged by the deadline, or failed in the client
     * @throws JetStreamApiException if JetStream refused it for another reason
     */
    static Optional<Long> revisionOf(CompletableFuture<PublishAck> ack, long deadline)
            throws IOException, JetStreamApiException, InterruptedException {
        try {
            return Optional.of(ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).getSeqno());
        } catch (ExecutionException e) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof JetStreamApiException api) { // jnats wraps it in a RuntimeException
                    if (api.getApiErrorCode() == NatsSupport.WRONG_LAST_SEQUENCE) {
                        return Optional.empty();
                    }
                    throw api;
                }
            }
            throw new IOException("key-value write failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            ack.cancel(false);
            throw new IOException("key-value write not acknowledged in time", e);
        }
    }

    private Entry entry(MessageInfo message) {
        Headers headers = message.getHeaders();
        String operation = headers == null ? null : headers.getFirst(OPERATION);
        byte[] data = message.getData() == null ? new byte[0] : message.getData();
        String subject = message.getSubject();
        String key = subject != null && subject.startsWith(subjectPrefix) ? subject.substring(subjectPrefix.length())
                : "";
        boolean deleted = operation != null && !operation.equals("PUT");
        return new Entry(key, deleted ? new byte[0] : data, message.getSeq(), deleted);
    }
}
