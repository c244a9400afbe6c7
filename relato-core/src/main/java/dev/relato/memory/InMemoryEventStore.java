package dev.relato.memory;

import dev.relato.AppendResult;
import dev.relato.Direction;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StoreCompanions;
import dev.relato.StreamDeletedException;
import dev.relato.StreamId;
import dev.relato.StreamNotice;
import dev.relato.StreamOperations;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.SubscriptionOptions;
import dev.relato.WrongExpectedVersionException;
import dev.relato.observe.RelatoObserver;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.projection.InMemoryDeadLetterStore;
import dev.relato.projection.InMemoryProjectionLeases;
import dev.relato.snapshot.InMemorySnapshotStore;
import dev.relato.spi.AppendSignal;
import dev.relato.spi.AppendValidation;
import dev.relato.spi.LogReader;
import dev.relato.spi.Observed;
import dev.relato.spi.PollingSubscription;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * An {@link EventStore} held in memory: for tests, prototypes and as the baseline that measures the
 * framework's own overhead. Keeps every guarantee of the {@link EventStore} contract; nothing survives
 * {@link #close()} or the JVM.
 *
 * <p>Global positions are 1, 2, 3 … with no gaps. Times come from the configured {@link Clock}, truncated to
 * microseconds as on every store, and never go backwards within one store (a clock that steps back is held
 * at the last time recorded), so a read
 * {@link StreamRead#asOf(Instant) as of} a time returns a prefix of the stream.
 *
 * <p>Its {@link StoreCompanions companions} ({@link #snapshots()}, {@link #checkpoints()}, {@link #deadLetters()},
 * {@link #leases(String)}) live in the same memory: one instance of each per store, and one lease table shared by
 * the nodes of the store, with the store's clock.
 *
 * <p><b>Thread safety</b>: safe for any number of threads. Appends are serialised by one lock; reads,
 * {@link #readAll(GlobalRead)} and subscriptions never lock and see each append entirely or not at all.
 * After {@link #close()} every method but {@code close} throws {@link IllegalStateException}.
 *
 * <p>Streams are deleted, tombstoned and truncated as {@link StreamOperations} says; a delete or tombstone also
 * removes the stream's snapshot from this store's own {@link #snapshots() snapshot store}, a truncation keeps
 * it.
 */
public final class InMemoryEventStore implements EventStore, StoreCompanions, StreamOperations {
    private final int maxEventBytes;
    private final Clock clock;
    private final SubscriptionOptions subscriptionOptions;
    private final RelatoObserver observer;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final AppendOnlyArray<RecordedEvent> log = new AppendOnlyArray<>(1024);
    private final ConcurrentHashMap<StreamId, AppendOnlyArray<RecordedEvent>> streams = new ConcurrentHashMap<>();
    /** For every stored event id, where the append that wrote it is in the log; touched only under the append lock. */
    private final EventIdIndex ids = new EventIdIndex();
    /** Positions of removed events; written only under the append lock. */
    private final Set<Long> removed = ConcurrentHashMap.newKeySet();
    /** Per truncated stream, its lowest version kept. */
    private final ConcurrentHashMap<StreamId, Long> firstKept = new ConcurrentHashMap<>();
    private final Set<StreamId> tombstones = ConcurrentHashMap.newKeySet();
    private final AppendSignal signal = new AppendSignal();
    private final Set<PollingSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final LogReader reader = this::readPage;
    private final InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
    private final InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
    private final InMemoryProjectionLeases.Table leases;
    /** Last time recorded; touched only under the append lock. */
    private Instant lastRecordedAt = Instant.MIN;
    private volatile boolean closing;
    private volatile boolean closed;

    private InMemoryEventStore(Builder builder) {
        this.maxEventBytes = builder.maxEventBytes;
        this.clock = builder.clock;
        this.subscriptionOptions = builder.subscriptionOptions;
        this.leases = InMemoryProjectionLeases.table(clock);
        this.observer = builder.observer;
    }

    /** A store with the default event size limit, the system clock (UTC) and default subscription settings. */
    public static InMemoryEventStore create() {
        return builder().build();
    }

    /** A builder to set the event size limit, the clock or subscription settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The snapshot store of this store: the same instance on every call. */
    @Override
    public InMemorySnapshotStore snapshots() {
        ensureOpen();
        return snapshots;
    }

    /** The checkpoint store of this store: the same instance on every call. */
    @Override
    public InMemoryCheckpointStore checkpoints() {
        ensureOpen();
        return checkpoints;
    }

    /** The dead-letter store of this store: the same instance on every call. */
    @Override
    public InMemoryDeadLetterStore deadLetters() {
        ensureOpen();
        return deadLetters;
    }

    /**
     * Node {@code nodeId}'s view of this store's lease table, which expires leases by the store's clock.
     *
     * @throws dev.relato.InvalidInputException if the node id is blank, too long or has a control character
     */
    @Override
    public InMemoryProjectionLeases leases(String nodeId) {
        ensureOpen();
        return leases.node(nodeId);
    }

    /** The largest event (payload plus metadata, in UTF-8 bytes) this store accepts. */
    @Override
    public int maxEventBytes() {
        return maxEventBytes;
    }

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        return Observed.append(observer, "memory", stream, events, carried -> appendNow(stream, expected, carried));
    }

    @Override
    public RelatoObserver observer() {
        return observer;
    }

    private AppendResult appendNow(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        AppendValidation.validate(stream, expected, events, maxEventBytes);
        ensureOpen();
        // Read before the lock, so the lock covers no clock; held at the last time recorded under it.
        Instant read = clock.instant().truncatedTo(ChronoUnit.MICROS);
        RecordedEvent[] batch = new RecordedEvent[events.size()];
        appendLock.lock();
        try {
            ensureOpen();
            if (tombstones.contains(stream)) {
                throw new StreamDeletedException(stream);
            }
            AppendOnlyArray<RecordedEvent> streamLog = streams.get(stream);
            long current = streamLog == null ? 0 : streamLog.size();
            ids.reserve(batch.length);
            int probe = ids.probe(events.get(0).eventId()); // serves the look-up and the insertion of the first id
            RecordedEvent[] stored = storedAppend(probe, events);
            if (stored != null) {
                return retryOrFail(stream, expected, events, stored);
            }
            if (!expected.matches(current)) {
                throw new WrongExpectedVersionException(stream, expected, current);
            }
            Instant now = read.isBefore(lastRecordedAt) ? lastRecordedAt : read;
            lastRecordedAt = now;
            int position = log.size();
            for (int i = 0; i < batch.length; i++) {
                batch[i] = RecordedEvent.of(events.get(i), stream, current + i + 1, position + i + 1L, now);
            }
            if (streamLog == null) {
                streamLog = new AppendOnlyArray<>(Math.max(8, batch.length));
                streams.put(stream, streamLog);
            }
            // Global log first: a reader that finds the stream's new version can also find its positions.
            log.addAll(batch);
            streamLog.addAll(batch);
            ids.putAt(probe, batch[0].eventId(), position, batch.length);
            for (int i = 1; i < batch.length; i++) {
                ids.put(batch[i].eventId(), position, batch.length);
            }
        } finally {
            appendLock.unlock();
        }
        signal.fire();
        return AppendResult.of(List.of(batch), false);
    }

    /**
     * The stored append holding the first already stored id of {@code events}, if any; {@code probe} is the id
     * index's probe for the first one.
     */
    private RecordedEvent[] storedAppend(int probe, List<EventData> events) {
        long place = ids.placeAt(probe);
        for (int i = 1; place == EventIdIndex.ABSENT && i < events.size(); i++) {
            place = ids.find(events.get(i).eventId());
        }
        return place == EventIdIndex.ABSENT ? null : appendAt(place);
    }

    /** The events of the append at {@code place} in the id index, removed ones included. */
    private RecordedEvent[] appendAt(long place) {
        RecordedEvent[] append = new RecordedEvent[EventIdIndex.size(place)];
        int first = EventIdIndex.first(place);
        for (int i = 0; i < append.length; i++) {
            append[i] = log.get(first + i);
        }
        return append;
    }

    /**
     * Some ids are already stored: an idempotent retry if this is exactly an earlier append to this stream
     * (the same ids in the same order) and the expectation accepts the version that append followed; a
     * duplicate otherwise. Nothing is written either way.
     */
    private AppendResult retryOrFail(StreamId stream, ExpectedVersion expected, List<EventData> events,
                                     RecordedEvent[] stored) {
        boolean sameAppend = stored.length == events.size() && stored[0].streamId().equals(stream);
        for (int i = 0; sameAppend && i < stored.length; i++) {
            sameAppend = stored[i].eventId().equals(events.get(i).eventId());
        }
        if (!sameAppend) {
            UUID id = events.stream().map(EventData::eventId).filter(e -> ids.find(e) != EventIdIndex.ABSENT)
                    .findFirst().orElseThrow();
            RecordedEvent[] append = appendAt(ids.find(id));
            RecordedEvent known = find(append, id);
            throw new DuplicateEventException(stream, id, "at " + where(known) + (known.streamId().equals(stream)
                    ? ", written by an append of " + append.length + " events; retry exactly that append"
                    : ""));
        }
        RecordedEvent first = stored[0];
        if (!expected.matches(first.streamVersion() - 1)) {
            throw new DuplicateEventException(stream, first.eventId(), "at " + where(first)
                    + ", which is not where expected version " + expected + " would put it");
        }
        return AppendResult.of(List.of(stored), true);
    }

    private static RecordedEvent find(RecordedEvent[] append, UUID id) {
        for (RecordedEvent r : append) {
            if (r.eventId().equals(id)) {
                return r;
            }
        }
        throw new IllegalStateException("event " + id + " is not part of the append it is indexed under");
    }

    private static String where(RecordedEvent e) {
        return "stream '" + e.streamId() + "' version " + e.streamVersion();
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        return Observed.read(observer, "memory", stream, () -> readNow(stream, read));
    }

    private List<RecordedEvent> readNow(StreamId stream, StreamRead read) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(read, "read");
        ensureOpen();
        AppendOnlyArray<RecordedEvent> streamLog = streams.get(stream);
        if (streamLog == null) {
            return List.of();
        }
        long last = streamLog.size();
        if (read.asOf().isPresent()) {
            last = countRecordedBy(streamLog, last, read.asOf().get());
        }
        long low = Math.max(read.lowestVersion(), firstKept.getOrDefault(stream, 1L));
        long high = Math.min(read.highestVersion(), last);
        if (low > high) {
            return List.of();
        }
        int count = (int) Math.min(read.limit(), high - low + 1);
        List<RecordedEvent> out = new ArrayList<>(count);
        if (read.direction() == Direction.FORWARDS) {
            for (long v = low; v < low + count; v++) {
                out.add(streamLog.get((int) v - 1));
            }
        } else {
            for (long v = high; v > high - count; v--) {
                out.add(streamLog.get((int) v - 1));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** How many of the first {@code size} events were recorded at or before {@code asOf}: times never fall. */
    private static long countRecordedBy(AppendOnlyArray<RecordedEvent> streamLog, long size, Instant asOf) {
        int lo = 0;
        int hi = (int) size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (streamLog.get(mid).recordedAt().isAfter(asOf)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    @Override
    public Stream<RecordedEvent> readAll(GlobalRead read) {
        Objects.requireNonNull(read, "read");
        ensureOpen();
        return reader.stream(read);
    }

    private List<RecordedEvent> readPage(long afterPosition, EventFilter filter, int max) {
        ensureOpen();
        int size = log.size();
        if (afterPosition >= size) {
            return List.of();
        }
        List<RecordedEvent> page = new ArrayList<>(Math.min(max, size - (int) afterPosition));
        boolean all = filter.isAll();
        boolean notices = filter.streamNotices();
        boolean anyRemoved = !removed.isEmpty();
        for (int i = (int) afterPosition; i < size && page.size() < max; i++) {
            RecordedEvent e = log.get(i);
            if (anyRemoved && removed.contains(e.position())) {
                continue;
            }
            if (all ? notices || !StreamNotice.isNotice(e) : filter.matches(e)) {
                page.add(e);
            }
        }
        return page;
    }

    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(listener, "listener");
        ensureOpen();
        subscriptions.removeIf(s -> !s.isRunning());
        PollingSubscription subscription = PollingSubscription.start(reader, afterPosition, filter, listener, signal,
                subscriptionOptions);
        subscriptions.add(subscription);
        if (closing) {
            subscription.close();
            throw new IllegalStateException("this in-memory event store is closed");
        }
        return subscription;
    }

    @Override
    public long streamVersion(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        ensureOpen();
        AppendOnlyArray<RecordedEvent> streamLog = streams.get(stream);
        return streamLog == null ? 0 : streamLog.size();
    }

    @Override
    public long deleteStream(StreamId stream, ExpectedVersion expected) {
        return delete(stream, expected, false);
    }

    @Override
    public long tombstoneStream(StreamId stream, ExpectedVersion expected) {
        return delete(stream, expected, true);
    }

    private long delete(StreamId stream, ExpectedVersion expected, boolean tombstone) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(expected, "expected");
        ensureOpen();
        appendLock.lock();
        try {
            ensureOpen();
            AppendOnlyArray<RecordedEvent> streamLog = streams.get(stream);
            long current = streamLog == null ? 0 : streamLog.size();
            if (!tombstones.contains(stream) && !expected.matches(current)) {
                throw new WrongExpectedVersionException(stream, expected, current);
            }
            long from = firstKept.getOrDefault(stream, 1L);
            if (tombstone) {
                tombstones.add(stream);
            }
            firstKept.remove(stream);
            streams.remove(stream);
            snapshots.delete(stream);
            long removedCount = removeBelow(streamLog, from, current + 1);
            if (removedCount > 0) {
                addNotice(stream, tombstone ? StreamNotice.Kind.TOMBSTONED : StreamNotice.Kind.DELETED, 0);
            }
            return removedCount;
        } finally {
            appendLock.unlock();
        }
    }

    /** Adds the notice of a removal to the log, after every event; under the append lock. */
    private void addNotice(StreamId stream, StreamNotice.Kind kind, long keptFrom) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        if (now.isBefore(lastRecordedAt)) {
            now = lastRecordedAt;
        }
        lastRecordedAt = now;
        log.addAll(new RecordedEvent[] {new StreamNotice(stream, kind, keptFrom, log.size() + 1L, now).toRecord()});
        signal.fire();
    }

    @Override
    public long truncateBefore(StreamId stream, long version) {
        AppendValidation.checkTruncate(stream, version);
        ensureOpen();
        appendLock.lock();
        try {
            ensureOpen();
            AppendOnlyArray<RecordedEvent> streamLog = streams.get(stream);
            long current = streamLog == null ? 0 : streamLog.size();
            long from = firstKept.getOrDefault(stream, 1L);
            long keep = Math.min(version, current);
            if (keep <= from) {
                return 0;
            }
            // The stream's reads move past the head first, then the log stops showing it.
            firstKept.put(stream, keep);
            long removedCount = removeBelow(streamLog, from, keep);
            addNotice(stream, StreamNotice.Kind.TRUNCATED, keep);
            return removedCount;
        } finally {
            appendLock.unlock();
        }
    }

    /** Removes versions {@code [from, to)} of a stream from the log and the id index; under the append lock. */
    private long removeBelow(AppendOnlyArray<RecordedEvent> streamLog, long from, long to) {
        long count = 0;
        for (long v = from; v < to; v++) {
            RecordedEvent e = streamLog.get((int) v - 1);
            removed.add(e.position());
            ids.remove(e.eventId());
            count++;
        }
        return count;
    }

    @Override
    public boolean isTombstoned(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        ensureOpen();
        return tombstones.contains(stream);
    }

    @Override
    public long headPosition() {
        ensureOpen();
        return log.size();
    }

    /**
     * Woken by this store's appends, which are the only ones it has.
     *
     * @throws IllegalStateException if the store is closed, or closes while this waits
     */
    @Override
    public long awaitHead(long afterPosition, Duration timeout) throws InterruptedException {
        return signal.awaitHead(afterPosition, timeout, timeout, this::headPosition);
    }

    /** Closes every subscription of this store. Idempotent. */
    @Override
    public void close() {
        closing = true;
        subscriptions.forEach(PollingSubscription::close); // before reads fail, so they stop as closed, not failed
        closed = true;
        signal.fire();
        subscriptions.forEach(PollingSubscription::close); // any that started meanwhile
        subscriptions.clear();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this in-memory event store is closed");
        }
    }

    @Override
    public String toString() {
        return "InMemoryEventStore[events=" + log.size() + ", streams=" + streams.size() + "]";
    }

    /** Builds an {@link InMemoryEventStore}. Not thread-safe; use from one thread. */
    public static final class Builder {
        private int maxEventBytes = AppendValidation.DEFAULT_MAX_EVENT_BYTES;
        private Clock clock = Clock.systemUTC();
        private SubscriptionOptions subscriptionOptions = SubscriptionOptions.DEFAULT;
        private RelatoObserver observer = RelatoObserver.none();

        private Builder() {
        }

        /**
         * The largest event (payload plus metadata, in UTF-8 bytes) to accept; default 1 MiB.
         *
         * @throws IllegalArgumentException if below 64 bytes
         */
        public Builder maxEventBytes(int bytes) {
            this.maxEventBytes = AppendValidation.checkMaxEventBytes(bytes);
            return this;
        }

        /** The clock that stamps {@link RecordedEvent#recordedAt()}; default the system clock in UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How subscriptions read the log; default {@link SubscriptionOptions#DEFAULT}. */
        public Builder subscriptionOptions(SubscriptionOptions options) {
            this.subscriptionOptions = Objects.requireNonNull(options, "subscription options");
            return this;
        }

        /**
         * The observer told about appends and stream loads (as store {@code "memory"}), and handed to the repositories
         * and projection runners built on the store; default {@link RelatoObserver#none()}.
         */
        public Builder observer(RelatoObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        public InMemoryEventStore build() {
            return new InMemoryEventStore(this);
        }
    }
}
