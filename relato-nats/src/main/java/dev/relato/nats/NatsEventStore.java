package dev.relato.nats;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidEventException;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.SubscriptionOptions;
import dev.relato.WrongExpectedVersionException;
import dev.relato.spi.AppendSignal;
import dev.relato.spi.AppendValidation;
import dev.relato.spi.LogReader;
import dev.relato.spi.PollingSubscription;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValueOptions;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventStore} on NATS JetStream, for clustered deployments.
 *
 * <h2>Layout</h2>
 * One JetStream stream per store (default name {@code relato}) captures the subjects
 * {@code <prefix>.<category>.<id>}, where the id is the unpadded base64url form of the stream id's UTF-8
 * bytes, so any id (dots, wildcards, spaces, any script) is one safe subject token. <b>Each append is one
 * JetStream message</b> holding all its events, so an append is stored entirely or not at all. Its headers
 * carry the stream version range it covers and the sequence of the stream's previous message, which lets
 * reads walk a stream backwards one message at a time. The JetStream stream is created on first use with
 * limits retention and no limits (events are never discarded), discard policy {@code New}, message deletion
 * and purging denied; an existing stream is checked and a mismatch raises
 * {@link NatsConfigurationException} saying what differs.
 *
 * <h2>Concurrency</h2>
 * Optimistic concurrency rests on JetStream's expected-last-subject-sequence check: an append reads the
 * stream's last message, checks the expected version against the version range in its headers, and
 * publishes requiring that message to still be the subject's last. If another writer got in between,
 * JetStream refuses (error 10071); {@code any} and {@code streamExists} then read again and retry, an exact
 * expectation fails with {@link WrongExpectedVersionException} carrying the actual version.
 *
 * <h2>Global positions</h2>
 * An event's position is {@code sequence × 2^16 + index}: the JetStream sequence of its append's message
 * and its index in the append. Positions therefore rise strictly in the order JetStream stored the messages,
 * and JetStream makes a message readable only after every lower sequence, so a reader that has seen a
 * position never later finds an event below it. An append holds at most {@value StoredBatch#MAX_EVENTS}
 * events; larger ones are rejected with {@link InvalidEventException}.
 *
 * <h2>Idempotency</h2>
 * Retries are recognised twice over. Every message carries the first event id as its {@code Nats-Msg-Id},
 * so JetStream itself answers a re-publish within the duplicate window (default two minutes) with the
 * original sequence; and a key-value bucket {@code <stream>-event-ids} maps every stored event id to its
 * message for ever, consulted before each append. Re-appending the same ids in the same order to the same
 * stream where the expected version allows the original place returns the original result with
 * {@link AppendResult#retried()} true; the ids anywhere else throw {@link DuplicateEventException}. The
 * index is written right after the message; if that write fails the append reports
 * {@link StoreUnavailableException}, and retrying it (as that exception invites) completes the index; such a
 * retry also recognises its append as the stream's last one, or as the one right after the expected
 * version when the version check fails, so it is found even after the duplicate window. Two cases are
 * not covered: the process dies between storing the message and indexing it and the same ids are later
 * appended elsewhere after the duplicate window has passed; and two appends sharing an event id other
 * than their first run at the very same moment (each finds the index empty). Event ids are meant to be
 * fresh UUIDs, so both need a client reusing ids by mistake.
 *
 * <h2>Reads and subscriptions</h2>
 * Stream reads walk back from the stream's last message when the wanted part is near its end, and
 * otherwise scan the subject with a short-lived JetStream consumer. The global log is read in pages (one
 * category becomes a subject filter; types are filtered here). Subscriptions poll the log and are woken by
 * a core NATS subscription on the store's subjects, so appends by other processes are delivered at once.
 * Every read and every version check goes to the stream leader (direct gets from replicas are disabled on
 * the stream), so it sees every acknowledged append, also with several replicas.
 *
 * <h2>Thread safety and failures</h2>
 * Thread-safe: one instance serves every thread. Failures of the server or connection (timeouts, a
 * restarting server) surface as {@link StoreUnavailableException}; an append that fails that way was stored
 * entirely or not at all and may be retried with the same event ids. The connection reconnects in the
 * background and the store continues once it is back. {@link #close()} stops subscriptions and closes the
 * connection if the store opened it.
 */
public final class NatsEventStore implements EventStore {
    private static final Logger LOG = LoggerFactory.getLogger(NatsEventStore.class);
    /** Appends a retry looks back through for itself when its version check fails. */
    private static final int PLACE_SEARCH_LIMIT = 10;
    private static final int MAX_APPEND_ATTEMPTS = 10_000;
    /** Room kept in a message for its headers. */
    private static final int HEADER_ALLOWANCE = 1024;

    private final NatsSupport.Handle handle;
    private final JetStream js;
    private final String streamName;
    private final String prefix;
    private final int maxEventBytes;
    private final long maxPayload;
    private final StoredLog log;
    private final EventIdIndex index;
    private final AppendSignal signal = new AppendSignal();
    private Dispatcher signalDispatcher; // guarded by this; created by the first subscription
    private final SubscriptionOptions subscriptionOptions;
    private final Set<PollingSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private NatsEventStore(Builder b, NatsSupport.Handle handle) throws IOException, JetStreamApiException {
        this.handle = handle;
        this.streamName = b.streamName;
        this.prefix = b.subjectPrefix != null ? b.subjectPrefix : b.streamName;
        Duration timeout = b.requestTimeout;
        this.subscriptionOptions = b.subscriptionOptions;
        Connection connection = handle.connection();
        JetStreamOptions options = JetStreamOptions.builder().requestTimeout(timeout).build();
        this.js = connection.jetStream(options);
        JetStreamManagement jsm = connection.jetStreamManagement(options);
        this.maxPayload = connection.getMaxPayload();
        int payloadRoom = (int) Math.min(Integer.MAX_VALUE, maxPayload - HEADER_ALLOWANCE - BatchCodec.EVENT_OVERHEAD);
        if (b.maxEventBytes != null && b.maxEventBytes > payloadRoom) {
            throw new IllegalArgumentException("maximum event size " + b.maxEventBytes + " bytes exceeds what fits in one "
                    + "message of this NATS server (max payload " + maxPayload + " bytes); lower it or raise max_payload");
        }
        this.maxEventBytes = b.maxEventBytes != null ? b.maxEventBytes
                : Math.min(AppendValidation.DEFAULT_MAX_EVENT_BYTES, payloadRoom);
        JetStreamSetup.ensureStream(jsm, new JetStreamSetup.StreamSpec(streamName, prefix + ".>", b.replicas, b.storage,
                b.duplicateWindow));
        String indexBucket = streamName + "-event-ids";
        KeyValueOptions kvOptions = KeyValueOptions.builder().jsRequestTimeout(timeout).build();
        JetStreamSetup.ensureBucket(connection.keyValueManagement(kvOptions), new JetStreamSetup.BucketSpec(indexBucket,
                "event id index of stream " + streamName, b.replicas, b.storage));
        MessageRequests requests = new MessageRequests(connection, timeout);
        this.log = new StoredLog(js, jsm, requests, streamName, prefix, timeout);
        this.index = new EventIdIndex(js, requests, indexBucket, timeout);
    }

    /** A builder with the defaults: stream {@code relato}, file storage, one replica. */
    public static Builder builder() {
        return new Builder();
    }

    /** The JetStream stream holding the events. */
    public String streamName() {
        return streamName;
    }

    /** The subject prefix of the event messages. */
    public String subjectPrefix() {
        return prefix;
    }

    /** The largest event (payload plus metadata, UTF-8 bytes) this store accepts. */
    @Override
    public int maxEventBytes() {
        return maxEventBytes;
    }

    // ---------------------------------------------------------------------------------------------- append

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        checkOpen();
        AppendValidation.validate(stream, expected, events, maxEventBytes);
        if (events.size() > StoredBatch.MAX_EVENTS) {
            throw new InvalidEventException("append to stream '" + stream + "' has " + events.size()
                    + " events; this store takes at most " + StoredBatch.MAX_EVENTS + " per append. Split it into several appends");
        }
        byte[] body = BatchCodec.encodeEvents(events);
        if (body.length + HEADER_ALLOWANCE > maxPayload) {
            throw new InvalidEventException("append of " + events.size() + " events to stream '" + stream + "' encodes to "
                    + body.length + " bytes, more than fits in one message of this NATS server (max payload " + maxPayload
                    + " bytes); append fewer or smaller events");
        }
        String subject = log.subject(stream);
        List<UUID> ids = events.stream().map(EventData::eventId).toList();
        try {
            List<CompletableFuture<Message>> lookups = index.lookUp(ids);
            CompletableFuture<Message> lastAnswer = log.askLast(subject);
            Optional<AppendResult> indexed = findIndexed(stream, expected, ids, lookups);
            if (indexed.isPresent()) {
                return indexed.get();
            }
            Optional<StoredBatch> last = log.batchOf(lastAnswer);
            for (int attempt = 1; ; attempt++) {
                if (attempt > 1) {
                    last = log.lastBatch(subject);
                }
                if (last.isPresent() && last.get().eventIds().equals(ids)) {
                    return retryOf(last.get(), stream, expected, ids); // stored by an attempt whose index write failed
                }
                long current = last.map(StoredBatch::lastVersion).orElse(0L);
                if (!expected.matches(current)) {
                    Optional<AppendResult> retried = findAtPlace(stream, expected, ids, last);
                    if (retried.isPresent()) {
                        return retried.get();
                    }
                    throw new WrongExpectedVersionException(stream, expected, current);
                }
                long previous = last.map(StoredBatch::sequence).orElse(0L);
                Message message = NatsMessage.builder()
                        .subject(subject)
                        .headers(BatchCodec.headers(current + 1, current + events.size(), previous))
                        .data(body)
                        .build();
                PublishOptions options = PublishOptions.builder()
                        .expectedStream(streamName)
                        .expectedLastSubjectSequence(previous)
                        .messageId(ids.get(0).toString())
                        .build();
                PublishAck ack;
                try {
                    ack = js.publish(message, options);
                } catch (JetStreamApiException e) {
                    if (e.getApiErrorCode() == NatsSupport.WRONG_LAST_SEQUENCE && attempt < MAX_APPEND_ATTEMPTS) {
                        LOG.debug("stream '{}' moved on during append; reading it again", stream);
                        continue;
                    }
                    throw e;
                }
                if (ack.isDuplicate()) {
                    StoredBatch original = log.batchAt(ack.getSeqno()).orElseThrow(() -> new StoreUnavailableException(
                            "JetStream reported message " + ack.getSeqno() + " as the original of this append but it cannot be read",
                            null));
                    return retryOf(original, stream, expected, ids);
                }
                long sequence = ack.getSeqno();
                indexIds(stream, ids, sequence);
                signal.fire();
                StoredBatch stored = log.batchAt(sequence).orElseThrow(() -> new StoreUnavailableException(
                        "JetStream acknowledged message " + sequence + " of this append but it cannot be read", null));
                return AppendResult.of(stored.recorded(), false);
            }
        } catch (IOException | JetStreamApiException | InterruptedException | RuntimeException e) {
            throw NatsSupport.unavailable("append to stream '" + stream + "'", e,
                    "; the append was stored entirely or not at all: retry it with the same event ids");
        }
    }

    /** Reads the answers of the durable index, in event order; an id found decides the append. */
    private Optional<AppendResult> findIndexed(StreamId stream, ExpectedVersion expected, List<UUID> ids,
                                               List<CompletableFuture<Message>> lookups)
            throws IOException, JetStreamApiException, InterruptedException {
        for (int i = 0; i < ids.size(); i++) {
            UUID id = ids.get(i);
            Optional<Long> sequence = index.sequence(lookups.get(i));
            if (sequence.isPresent()) {
                Optional<StoredBatch> batch = log.batchAt(sequence.get());
                if (batch.isPresent()) {
                    return Optional.of(retryOf(batch.get(), stream, expected, ids));
                }
                LOG.warn("event id {} is indexed at message {} of stream '{}', which no longer exists; ignoring the entry",
                        id, sequence.get(), streamName);
            }
        }
        return Optional.empty();
    }

    /**
     * The version check failed: the batch right after the expected version may be this very append,
     * stored by an earlier attempt whose answer was lost (and whose index write did not happen).
     */
    private Optional<AppendResult> findAtPlace(StreamId stream, ExpectedVersion expected, List<UUID> ids,
                                               Optional<StoredBatch> last)
            throws IOException, JetStreamApiException, InterruptedException {
        long before;
        if (expected instanceof ExpectedVersion.Exactly exactly) {
            before = exactly.version();
        } else if (expected == ExpectedVersion.noStream()) {
            before = 0;
        } else {
            return Optional.empty();
        }
        Optional<StoredBatch> batch = last;
        for (int steps = 0; batch.isPresent() && steps < PLACE_SEARCH_LIMIT; steps++) {
            StoredBatch b = batch.get();
            if (b.firstVersion() == before + 1) {
                return b.eventIds().equals(ids) ? Optional.of(retryOf(b, stream, expected, ids)) : Optional.empty();
            }
            if (b.firstVersion() <= before || b.previousSequence() == 0) {
                return Optional.empty();
            }
            batch = log.batchAt(b.previousSequence());
        }
        return Optional.empty();
    }

    /**
     * An append whose ids are already stored in {@code original}: the original result if it is the same
     * batch at a place the expectation allows, else a duplicate.
     */
    private AppendResult retryOf(StoredBatch original, StreamId stream, ExpectedVersion expected, List<UUID> ids)
            throws IOException, InterruptedException {
        if (original.stream().equals(stream) && original.eventIds().equals(ids)
                && expected.matches(original.firstVersion() - 1)) {
            indexIds(stream, ids, original.sequence());
            return AppendResult.of(original.recorded(), true);
        }
        List<UUID> stored = original.eventIds();
        UUID clash = ids.stream().filter(stored::contains).findFirst().orElse(ids.get(0));
        long version = original.firstVersion() + Math.max(0, stored.indexOf(clash));
        String detail = "in stream '" + original.stream() + "' at version " + version;
        if (original.stream().equals(stream) && stored.equals(ids)) {
            detail += " (this whole append is stored after version " + (original.firstVersion() - 1)
                    + ", which the expected version " + expected + " does not allow)";
        } else if (original.stream().equals(stream)) {
            detail += " (stored by an append of " + stored.size() + " events that is not this one)";
        }
        throw new DuplicateEventException(stream, clash, detail);
    }

    private void indexIds(StreamId stream, List<UUID> ids, long sequence) {
        try {
            index.record(ids, sequence);
        } catch (IOException | RuntimeException e) {
            throw new StoreUnavailableException("the append to stream '" + stream + "' was stored (message " + sequence
                    + ") but its event ids could not be indexed: " + e.getMessage()
                    + ". Retry the append with the same event ids to complete it", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while indexing the append to stream '" + stream
                    + "' (stored as message " + sequence + "); retry it with the same event ids", e);
        }
    }

    // ----------------------------------------------------------------------------------------------- reads

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(read, "read");
        checkOpen();
        try {
            return log.read(stream, read);
        } catch (IOException | JetStreamApiException | InterruptedException | RuntimeException e) {
            throw NatsSupport.unavailable("read of stream '" + stream + "'", e);
        }
    }

    @Override
    public Stream<RecordedEvent> readAll(GlobalRead read) {
        Objects.requireNonNull(read, "read");
        checkOpen();
        LogReader reader = this::readPage;
        return reader.stream(read);
    }

    /** One page of the global log: the {@link LogReader} of readAll and subscriptions. */
    private List<RecordedEvent> readPage(long afterPosition, EventFilter filter, int max) {
        checkOpen();
        try {
            return log.readPage(afterPosition, filter, max);
        } catch (IOException | JetStreamApiException | InterruptedException | RuntimeException e) {
            throw NatsSupport.unavailable("read of the global log after position " + afterPosition, e);
        }
    }

    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        checkOpen();
        listenForAppends();
        PollingSubscription subscription = PollingSubscription.start(this::readPage, afterPosition, filter, listener,
                signal, subscriptionOptions);
        subscriptions.removeIf(s -> !s.isRunning());
        subscriptions.add(subscription);
        if (closed.get()) { // closed while starting: close() may have missed it
            subscription.close();
        }
        return subscription;
    }

    @Override
    public long streamVersion(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        checkOpen();
        try {
            return log.lastBatch(log.subject(stream)).map(StoredBatch::lastVersion).orElse(0L);
        } catch (IOException | JetStreamApiException | InterruptedException | RuntimeException e) {
            throw NatsSupport.unavailable("version of stream '" + stream + "'", e);
        }
    }

    @Override
    public long headPosition() {
        checkOpen();
        try {
            return log.headPosition();
        } catch (IOException | JetStreamApiException | InterruptedException | RuntimeException e) {
            throw NatsSupport.unavailable("head position of stream '" + streamName + "'", e);
        }
    }

    /**
     * Subscribes (once) to the store's subjects on core NATS, so that appends by any process wake the
     * subscriptions. The message can arrive just before JetStream makes it readable; the subscription then
     * finds it at its next poll.
     */
    private synchronized void listenForAppends() {
        if (signalDispatcher == null) {
            signalDispatcher = handle.connection().createDispatcher(message -> signal.fire());
            signalDispatcher.subscribe(log.subjects());
        }
    }

    /** Stops every subscription, then closes the connection if the store opened it. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        subscriptions.forEach(PollingSubscription::close);
        subscriptions.clear();
        synchronized (this) {
            if (signalDispatcher != null) {
                try {
                    handle.connection().closeDispatcher(signalDispatcher);
                } catch (RuntimeException e) {
                    LOG.debug("closing the append signal subscription failed", e);
                }
            }
        }
        handle.close();
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this NATS event store is closed");
        }
    }

    /**
     * Configures a {@link NatsEventStore}. Not thread-safe; {@link #build()} creates or checks the JetStream
     * stream and index bucket.
     */
    public static final class Builder {
        private Connection connection;
        private String url;
        private String streamName = "relato";
        private String subjectPrefix;
        private int replicas = 1;
        private StorageType storage = StorageType.File;
        private Duration duplicateWindow = Duration.ofMinutes(2);
        private Integer maxEventBytes;
        private Duration requestTimeout = Duration.ofSeconds(5);
        private SubscriptionOptions subscriptionOptions = SubscriptionOptions.DEFAULT;

        private Builder() {
        }

        /** Use this connection; the store does not close it. */
        public Builder connection(Connection natsConnection) {
            this.connection = Objects.requireNonNull(natsConnection, "connection");
            return this;
        }

        /**
         * Connect to these servers ({@code nats://host:port}, comma-separated); the store owns the connection,
         * which reconnects for ever, and closes it.
         */
        public Builder url(String natsUrl) {
            this.url = Objects.requireNonNull(natsUrl, "url");
            return this;
        }

        /** The JetStream stream name: ASCII letters, digits, {@code -}, {@code _}; default {@code relato}. */
        public Builder streamName(String name) {
            this.streamName = Names.validateName("stream name", name);
            return this;
        }

        /** The subject prefix, dot-separated tokens; defaults to the stream name. */
        public Builder subjectPrefix(String prefix) {
            this.subjectPrefix = Names.validateSubjectPrefix(prefix);
            return this;
        }

        /** Replicas of the stream and index bucket in a cluster, 1 to 5; default 1. */
        public Builder replicas(int count) {
            this.replicas = NatsSupport.checkReplicas(count);
            return this;
        }

        /** File (default, durable) or memory storage. */
        public Builder storage(StorageType type) {
            this.storage = Objects.requireNonNull(type, "storage");
            return this;
        }

        /** How long JetStream remembers message ids to drop re-published appends; default two minutes. */
        public Builder duplicateWindow(Duration window) {
            Objects.requireNonNull(window, "window");
            if (window.toMillis() < 100) {
                throw new IllegalArgumentException("duplicate window must be at least 100 ms, got " + window);
            }
            this.duplicateWindow = window;
            return this;
        }

        /**
         * The largest event (payload plus metadata, UTF-8 bytes); default 1 MiB or what fits in the server's
         * max payload, whichever is less. Must fit in one message of the server.
         */
        public Builder maxEventBytes(int bytes) {
            this.maxEventBytes = AppendValidation.checkMaxEventBytes(bytes);
            return this;
        }

        /** How long to wait for each answer of the server; default 5 seconds. */
        public Builder requestTimeout(Duration duration) {
            this.requestTimeout = NatsSupport.checkTimeout(duration);
            return this;
        }

        /** How subscriptions read the log, retry and close; default {@link SubscriptionOptions#DEFAULT}. */
        public Builder subscriptionOptions(SubscriptionOptions options) {
            this.subscriptionOptions = Objects.requireNonNull(options, "subscription options");
            return this;
        }

        /**
         * Connects if given a URL, then creates or checks the stream and index bucket.
         *
         * @throws StoreUnavailableException  if the server cannot be reached
         * @throws NatsConfigurationException if an existing stream or bucket does not fit, or the server has no
         *                                    JetStream
         * @throws IllegalArgumentException   if {@link #maxEventBytes(int)} exceeds what one message can carry
         * @throws IllegalStateException      if neither or both of a connection and a URL were given
         */
        public NatsEventStore build() {
            NatsSupport.Handle handle = NatsSupport.handle(connection, url, requestTimeout, "relato-" + streamName);
            try {
                return new NatsEventStore(this, handle);
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                handle.close();
                if (e instanceof IllegalArgumentException iae) {
                    throw iae;
                }
                throw NatsSupport.unavailable("setting up JetStream stream '" + streamName + "'", e);
            }
        }
    }
}
