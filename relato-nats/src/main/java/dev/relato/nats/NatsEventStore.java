package dev.relato.nats;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.ErrorClassifier;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.InvalidEventException;
import dev.relato.RecordedEvent;
import dev.relato.RelatoException;
import dev.relato.RetryPolicy;
import dev.relato.StoreCompanions;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.StreamOperations;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.SubscriptionOptions;
import dev.relato.WrongExpectedVersionException;
import dev.relato.observe.RelatoObserver;
import dev.relato.spi.AppendSignal;
import dev.relato.spi.AppendValidation;
import dev.relato.spi.LogReader;
import dev.relato.spi.Observed;
import dev.relato.spi.PollingSubscription;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValueManagement;
import io.nats.client.KeyValueOptions;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * carry the stream version range it covers and the sequence of the stream's previous message: a stream's
 * messages form a chain that reads walk and check. The JetStream stream is created on first use with limits
 * retention and no limits (events are never discarded) and discard policy {@code New}; an existing stream is
 * checked and a mismatch raises {@link NatsConfigurationException} saying what differs. A key-value bucket
 * {@code <stream>-event-ids} holds the event id claims, and {@code <stream>-truncations} where truncated streams
 * now begin.
 *
 * <h2>Deleting and truncating streams</h2>
 * As {@link StreamOperations} says, with {@link StreamRemover} doing the work: a delete or tombstone is a message
 * on the stream's subject published on the same compare-and-set as an append, then the messages before it are
 * purged; a truncation records the stream's new start, then purges the messages below it. Events sharing an
 * append's message with kept events stay hidden in it until it is removed too. Earlier versions created the stream
 * with message deletes and purges denied; the store lifts that when it opens, and where the server refuses, the
 * stream operations throw {@link NatsConfigurationException} naming the setting while appends and reads work.
 *
 * <h2>Concurrency</h2>
 * Optimistic concurrency rests on JetStream's expected-last-subject-sequence check: an append reads the
 * stream's last message, checks the expected version against the version range in its headers, and
 * publishes requiring that message to still be the subject's last. If another writer got in between,
 * JetStream refuses; an exact expectation then fails with {@link WrongExpectedVersionException} carrying the
 * actual version, while {@code any} and {@code streamExists} read again and retry, with jittered backoff, for
 * as long as the {@linkplain Builder#appendRetryPolicy(RetryPolicy) append retry policy} allows (10 seconds by
 * default). An append still overtaken then fails with {@link StoreUnavailableException}, having stored
 * nothing, like a serialization failure of a database.
 *
 * <h2>Global positions</h2>
 * An event's position is {@code sequence × 2^16 + index}: the JetStream sequence of its append's message
 * and its index in the append. Positions therefore rise strictly in the order JetStream stored the messages,
 * and JetStream makes a message readable only after every lower sequence, so a reader that has seen a
 * position never later finds an event below it. An append holds at most {@value StoredBatch#MAX_EVENTS}
 * events; larger ones are rejected with {@link InvalidEventException}.
 *
 * <h2>Idempotency: event id claims</h2>
 * An event id is stored at most once, by whichever append claims it first. Before publishing, an append
 * creates one key per event id in the claim bucket with a compare-and-set create, which succeeds for one
 * writer only; the claim names the append (its stream, first event id and a digest of all its ids) and the
 * sequence its message will follow. After publishing, the append confirms its claims with the message's
 * sequence (without waiting). So:
 * <ul>
 *   <li>Two appends sharing any event id race for its key, not for the stream: one claims it and may be
 *       stored, the other finds the claim and throws {@link DuplicateEventException}, having stored nothing
 *       and withdrawn the claims it made.</li>
 *   <li>A retry of the same append (same ids, same stream) recognises its own claims. If an earlier attempt
 *       was stored, the retry finds its message by walking the stream back to the sequence the claim names,
 *       and returns the original result with {@link AppendResult#retried()} true when the expected version
 *       allows that place; otherwise the retry publishes. The same ids anywhere else throw
 *       {@link DuplicateEventException}.</li>
 *   <li>A writer that dies after publishing and before confirming leaves pending claims; the message they
 *       point to proves the ids stored, so neither the duplicate window nor a lost confirmation opens a gap.
 *       A writer that dies before publishing leaves claims that keep its ids for a retry of that append:
 *       another append using them is refused, as a duplicate should be.</li>
 * </ul>
 * Every message also carries a {@code Nats-Msg-Id} made of its first event id, the sequence it follows and its
 * subject, so JetStream answers a re-publish of the append at the same place within its duplicate window (two
 * minutes by default) with the original message, and ids appended again after their stream was deleted are not
 * mistaken for it. Claims written by earlier
 * versions (a decimal message sequence) read as confirmed claims, and a retry of an append stored before
 * claims existed is still found as the stream's last append or right after the expected version. Two
 * attempts of one append running at the same time, each for longer than the duplicate window, are not
 * told apart.
 *
 * <h2>Reads and subscriptions</h2>
 * Reads never create a JetStream consumer: every message is fetched with a get answered by the stream leader
 * (direct gets from replicas are disabled on the stream), so reads see every acknowledged append and never
 * wait for a consumer's delivery. A stream read starts from the stream's last message and walks its chain
 * back, or fetches the stream forwards with several requests in flight and checks the chain; the global log
 * is read by sequence, a window of gets at a time, with categories and types filtered here. Subscriptions poll
 * the log and are woken by a core NATS subscription on the store's subjects, so appends by other processes
 * are delivered at once. Appending needs only the headers and event ids of earlier messages: an event whose
 * metadata cannot be decoded fails the reads that reach it ({@link StoreFailureException}) but never
 * blocks appends to its stream.
 *
 * <h2>Clusters</h2>
 * Given several servers' URLs and {@link Builder#replicas(int) replicas}, the stream and every bucket of the store
 * are kept on that many servers, and an append is acknowledged once a majority of them has stored it. Every read a
 * decision depends on (the stream's last message before an append, event id claims, the key-value stores) is answered
 * by the leader, so a replica behind it is never read. When a leader dies, requests fail transiently until the
 * cluster has elected another (gets are sent again meanwhile), and the connection moves to another server by itself.
 *
 * <h2>Thread safety and failures</h2>
 * Thread-safe: one instance serves every thread. Transient failures surface as
 * {@link StoreUnavailableException}: timeouts and I/O errors of the client, requests nobody answered, a
 * connection that is closed or reconnecting, and the JetStream errors of a server or cluster that is
 * temporarily unavailable or out of resources or storage. An append that fails that way was stored entirely
 * or not at all and may be retried with the same event ids. Every other failure of the server (a sealed
 * stream, a refused request) is permanent and surfaces as {@link StoreFailureException}, never retried; a
 * bug in the client or here propagates as itself. {@link Builder#errorClassifier(ErrorClassifier)} can
 * adjust the verdict. The connection reconnects in the background and the store continues once it is back.
 * {@link #close()} stops subscriptions and closes the connection if the store opened it.
 */
public final class NatsEventStore implements EventStore, StreamOperations, StoreCompanions {
    /** The store name observers are told. */
    static final String STORE = "nats";
    private static final Logger LOG = LoggerFactory.getLogger(NatsEventStore.class);
    /** Retries of an append overtaken by other writers: 1 ms to 100 ms apart, for at most 10 seconds. */
    static final RetryPolicy DEFAULT_APPEND_RETRIES = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(1),
            Duration.ofMillis(100), Duration.ofSeconds(10));
    private static final String APPEND_ADVICE = "; the append was stored entirely or not at all: retry it with the same "
            + "event ids";

    private final NatsSupport.Handle handle;
    private final String streamName;
    private final String prefix;
    private final int maxEventBytes;
    private final StoredLog log;
    private final StreamReader streams;
    private final Appender appender;
    private final StreamRemover remover;
    private final Optional<String> removalsRefused;
    private final StoreBuckets buckets;
    private final NatsFailures failures;
    private final AppendSignal signal = new AppendSignal();
    private Dispatcher signalDispatcher; // guarded by this; created by the first subscription
    private final SubscriptionOptions subscriptionOptions;
    private final Set<PollingSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RelatoObserver observer;

    private NatsEventStore(Builder b, NatsSupport.Handle handle) throws IOException, JetStreamApiException {
        this.handle = handle;
        this.streamName = b.streamName;
        this.prefix = b.subjectPrefix != null ? b.subjectPrefix : b.streamName;
        this.subscriptionOptions = b.subscriptionOptions;
        Connection connection = handle.connection();
        this.failures = new NatsFailures(b.errorClassifier, connection);
        Duration timeout = b.requestTimeout;
        JetStreamOptions options = JetStreamOptions.builder().requestTimeout(timeout).build();
        JetStream js = connection.jetStream(options);
        JetStreamManagement jsm = connection.jetStreamManagement(options);
        long maxPayload = connection.getMaxPayload();
        int payloadRoom = (int) Math.min(Integer.MAX_VALUE,
                maxPayload - Appender.HEADER_ALLOWANCE - BatchCodec.EVENT_OVERHEAD);
        if (b.maxEventBytes != null && b.maxEventBytes > payloadRoom) {
            throw new IllegalArgumentException("maximum event size " + b.maxEventBytes + " bytes exceeds what fits in one "
                    + "message of this NATS server (max payload " + maxPayload + " bytes); lower it or raise max_payload");
        }
        this.maxEventBytes = b.maxEventBytes != null ? b.maxEventBytes
                : Math.min(AppendValidation.DEFAULT_MAX_EVENT_BYTES, payloadRoom);
        this.removalsRefused = JetStreamSetup.ensureStream(jsm, new JetStreamSetup.StreamSpec(streamName, prefix + ".>",
                b.replicas, b.storage, b.duplicateWindow));
        String claimBucket = streamName + "-event-ids";
        String truncationBucket = streamName + "-truncations";
        KeyValueOptions kvOptions = KeyValueOptions.builder().jsRequestTimeout(timeout).build();
        KeyValueManagement kvm = connection.keyValueManagement(kvOptions);
        JetStreamSetup.ensureBucket(kvm, new JetStreamSetup.BucketSpec(claimBucket,
                "event id claims of stream " + streamName, b.replicas, b.storage));
        JetStreamSetup.ensureBucket(kvm, new JetStreamSetup.BucketSpec(truncationBucket,
                "truncations of the event streams of stream " + streamName, b.replicas, b.storage));
        MessageRequests requests = new MessageRequests(connection, timeout);
        this.log = new StoredLog(requests, jsm, streamName, prefix,
                new Truncations(new KeyValueBucket(js, requests, truncationBucket, timeout)));
        this.streams = new StreamReader(log);
        EventIdClaims claims = new EventIdClaims(new KeyValueBucket(js, requests, claimBucket, timeout));
        this.appender = new Appender(js, log, claims, streamName, maxPayload, maxEventBytes, b.appendRetryPolicy, signal,
                b.observer);
        this.remover = new StreamRemover(js, log, claims, streamName, b.appendRetryPolicy);
        this.observer = b.observer;
        this.buckets = new StoreBuckets(bucketName -> {
            BucketSettings settings = new BucketSettings(bucketName.purpose(), streamName + bucketName.suffix());
            settings.connection(connection);
            settings.replicas(b.replicas);
            settings.storage(b.storage);
            settings.requestTimeout(timeout);
            settings.errorClassifier(b.errorClassifier);
            return settings.open();
        });
    }

    /**
     * A store with the defaults (stream {@code relato}, file storage, one replica) on the servers at {@code natsUrl}
     * ({@code nats://host:port}, comma-separated), over a connection the store owns and closes: the same as
     * {@code builder().url(natsUrl).build()}.
     *
     * @throws StoreUnavailableException  if the servers cannot be reached or the stream set up now
     * @throws NatsConfigurationException if the stream exists and does not fit
     */
    public static NatsEventStore open(String natsUrl) {
        return builder().url(natsUrl).build();
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

    /**
     * The snapshot store beside this store's events: bucket {@code <stream>-snapshots}, on this store's connection,
     * with its replicas, storage, request timeout and error classifier. Created or checked on first call, then the
     * same instance; usable while this store is open.
     *
     * @throws StoreUnavailableException  if the bucket cannot be set up now
     * @throws NatsConfigurationException if it exists and does not fit
     */
    @Override
    public NatsSnapshotStore snapshots() {
        checkOpen();
        return buckets.snapshots();
    }

    /**
     * The wrapped data keys of personal data beside this store's events, for a
     * {@link dev.relato.privacy.PersonalDataStore}: bucket {@code <stream>-data-keys}, set up as {@link #snapshots()}
     * describes.
     *
     * @throws StoreUnavailableException  if the bucket cannot be set up now
     * @throws NatsConfigurationException if it exists and does not fit
     */
    public NatsDataKeyStore dataKeys() {
        checkOpen();
        return buckets.dataKeys();
    }

    /**
     * The checkpoint store beside this store's events: bucket {@code <stream>-checkpoints}, set up as
     * {@link #snapshots()} describes.
     *
     * @throws StoreUnavailableException  if the bucket cannot be set up now
     * @throws NatsConfigurationException if it exists and does not fit
     */
    @Override
    public NatsCheckpointStore checkpoints() {
        checkOpen();
        return buckets.checkpoints();
    }

    /**
     * The dead-letter store beside this store's events: bucket {@code <stream>-dead-letters}, set up as
     * {@link #snapshots()} describes.
     *
     * @throws StoreUnavailableException  if the bucket cannot be set up now
     * @throws NatsConfigurationException if it exists and does not fit
     */
    @Override
    public NatsDeadLetterStore deadLetters() {
        checkOpen();
        return buckets.deadLetters();
    }

    /**
     * The deadline store of process managers beside this store's events: bucket {@code <stream>-deadlines}, set up
     * as {@link #snapshots()} describes.
     *
     * @throws StoreUnavailableException  if the bucket cannot be set up now
     * @throws NatsConfigurationException if it exists and does not fit
     */
    public NatsDeadlineStore deadlines() {
        checkOpen();
        return buckets.deadlines();
    }

    /**
     * Projection leases of node {@code nodeId} beside this store's events: bucket {@code <stream>-leases}, set up
     * as {@link #snapshots()} describes; one instance per node id, for all the node's runners.
     *
     * @param nodeId this node's id, unique among the nodes (for example host name and process id), 1 to 200
     *               characters
     * @throws dev.relato.InvalidInputException if the node id is blank, too long or has a control character
     * @throws StoreUnavailableException        if the bucket cannot be set up now
     * @throws NatsConfigurationException       if it exists and does not fit
     */
    @Override
    public NatsProjectionLeases leases(String nodeId) {
        checkOpen();
        return buckets.leases(nodeId);
    }

    /** Lets a test observe or interrupt appends at the points {@link Appender.Probe} names. */
    void probe(Appender.Probe probe) {
        appender.probe(probe);
    }

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        return Observed.append(observer, STORE, stream, events, carried -> appendNow(stream, expected, carried));
    }

    /** The observer given to the builder; {@link RelatoObserver#none()} by default. */
    @Override
    public RelatoObserver observer() {
        return observer;
    }

    private AppendResult appendNow(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        checkOpen();
        try {
            return appender.append(stream, expected, events);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("append to stream '" + stream + "'", e, APPEND_ADVICE);
        }
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(read, "read");
        checkOpen();
        return Observed.read(observer, STORE, stream, () -> {
            try {
                return streams.read(stream, read);
            } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
                throw failures.translate("read of stream '" + stream + "'", e);
            }
        });
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
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("read of the global log after position " + afterPosition, e);
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
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("version of stream '" + stream + "'", e);
        }
    }

    @Override
    public long headPosition() {
        checkOpen();
        try {
            return log.headPosition();
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("head position of stream '" + streamName + "'", e);
        }
    }

    /**
     * Deletes a stream as {@link StreamOperations#deleteStream} says, then its snapshot in {@link #snapshots()}.
     *
     * @throws NatsConfigurationException if the JetStream stream denies purges and the server keeps it so
     */
    @Override
    public long deleteStream(StreamId stream, ExpectedVersion expected) {
        return delete(stream, expected, false);
    }

    /**
     * Tombstones a stream as {@link StreamOperations#tombstoneStream} says; the tombstone is a message on the
     * stream's subject, kept by JetStream like the events.
     *
     * @throws NatsConfigurationException if the JetStream stream denies purges and the server keeps it so
     */
    @Override
    public long tombstoneStream(StreamId stream, ExpectedVersion expected) {
        return delete(stream, expected, true);
    }

    private long delete(StreamId stream, ExpectedVersion expected, boolean tombstone) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(expected, "expected");
        checkRemovable();
        long removed;
        try {
            removed = remover.delete(stream, expected, tombstone);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate((tombstone ? "tombstone of" : "delete of") + " stream '" + stream + "'", e,
                    "; if the stream already reads as deleted, calling this again completes the removal");
        }
        buckets.snapshots().delete(stream);
        return removed;
    }

    /**
     * Truncates a stream as {@link StreamOperations#truncateBefore} says. Events that share an append with kept events
     * (one JetStream message holds a whole append) are hidden from every read and removed with that message, when the
     * stream is truncated past it or deleted.
     *
     * @throws NatsConfigurationException if the JetStream stream denies purges and the server keeps it so
     */
    @Override
    public long truncateBefore(StreamId stream, long version) {
        AppendValidation.checkTruncate(stream, version);
        checkRemovable();
        try {
            return remover.truncateBefore(stream, version);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("truncation of stream '" + stream + "'", e);
        }
    }

    @Override
    public boolean isTombstoned(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        checkOpen();
        try {
            return log.lastBatch(log.subject(stream)).map(b -> b.kind() == StoredBatch.Kind.TOMBSTONE).orElse(false);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("tombstone check of stream '" + stream + "'", e);
        }
    }

    private void checkRemovable() {
        checkOpen();
        if (removalsRefused.isPresent()) {
            throw new NatsConfigurationException(removalsRefused.get());
        }
    }

    /**
     * Woken at once by this store's appends and, through the store's core NATS subscription on its subjects, by
     * any other process's.
     */
    @Override
    public long awaitHead(long afterPosition, Duration timeout) throws InterruptedException {
        checkOpen();
        listenForAppends();
        return signal.awaitHead(afterPosition, timeout, subscriptionOptions.pollInterval(), this::headPosition);
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
        signal.fire(); // wakes callers waiting in awaitHead, which then find the store closed
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
        private ErrorClassifier errorClassifier = ErrorClassifier.storeDefault();
        private RetryPolicy appendRetryPolicy = DEFAULT_APPEND_RETRIES;
        private RelatoObserver observer = RelatoObserver.none();

        private Builder() {
        }

        /**
         * The observer told about appends and stream loads (as store {@code "nats"}) and each publish tried again
         * because other writers moved the stream on; handed to the repositories and projection runners built on the
         * store. Default {@link RelatoObserver#none()}.
         */
        public Builder observer(RelatoObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
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

        /**
         * Replicas of the stream and of every bucket the store keeps (event id claims, snapshots, checkpoints, dead
         * letters, leases), 1 to 5; default 1. On a cluster, 3 keeps every acknowledged append through the loss of
         * one server: JetStream acknowledges a write once a majority of the replicas has stored it. An existing
         * stream or bucket with another count is reported as {@link NatsConfigurationException}, never changed.
         */
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
         * Adjusts which failures are transient ({@link StoreUnavailableException}) and which permanent
         * ({@link StoreFailureException}); by default the store's own allow-list decides (see the class comment).
         */
        public Builder errorClassifier(ErrorClassifier classifier) {
            this.errorClassifier = Objects.requireNonNull(classifier, "error classifier");
            return this;
        }

        /**
         * How an append expecting {@code any()} or {@code streamExists()} retries when other writers append to
         * the stream between its read and its write: by default from 1 ms to 100 ms apart, with jitter, for at
         * most 10 seconds. Past the policy's ceiling the append fails with {@link StoreUnavailableException}
         * and nothing is stored.
         */
        public Builder appendRetryPolicy(RetryPolicy policy) {
            this.appendRetryPolicy = Objects.requireNonNull(policy, "append retry policy");
            return this;
        }

        /**
         * Connects if given a URL, then creates or checks the stream and event id bucket.
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
            } catch (IOException | JetStreamApiException | IllegalStateException e) {
                RelatoException failure = new NatsFailures(errorClassifier, handle.connection())
                        .translate("setting up JetStream stream '" + streamName + "'", e);
                handle.close();
                throw failure;
            } catch (RuntimeException e) {
                handle.close();
                throw e;
            }
        }
    }
}
