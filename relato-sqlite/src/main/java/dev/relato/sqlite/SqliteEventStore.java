package dev.relato.sqlite;

import dev.relato.AppendResult;
import dev.relato.Direction;
import dev.relato.DuplicateEventException;
import dev.relato.ErrorClassifier;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.Metadata;
import dev.relato.PayloadReads;
import dev.relato.RecordedEvent;
import dev.relato.RelatoException;
import dev.relato.SchemaPolicy;
import dev.relato.StoreCompanions;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamDeletedException;
import dev.relato.StreamId;
import dev.relato.StreamNotice;
import dev.relato.StreamOperations;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.SubscriptionOptions;
import dev.relato.SubscriptionState;
import dev.relato.WrongExpectedVersionException;
import dev.relato.observe.RelatoObserver;
import dev.relato.privacy.WrappedKey;
import dev.relato.projection.Projection;
import dev.relato.serialization.EventSerializer;
import dev.relato.spi.AppendSignal;
import dev.relato.spi.AppendValidation;
import dev.relato.spi.AppendedDataKeys;
import dev.relato.spi.HeadWatch;
import dev.relato.spi.Json;
import dev.relato.spi.LogReader;
import dev.relato.spi.Observed;
import dev.relato.spi.PollingSubscription;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The embedded event store: every stream, the global log, snapshots and checkpoints in one SQLite file. The
 * default store for a single process; several processes may share the file.
 *
 * <pre>{@code
 * try (SqliteEventStore store = SqliteEventStore.open(Path.of("data/orders.db"))) {
 *     store.append(StreamId.of("Order", "42"), ExpectedVersion.noStream(), List.of(placed));
 * }
 * }</pre>
 *
 * <h2>Writes</h2>
 * Every write runs in a {@code BEGIN IMMEDIATE} transaction on the store's single write connection, behind
 * a fair lock: appends from many threads queue in arrival order and never see SQLite's "database is locked".
 * Another process writing the same file is waited for up to the {@linkplain Builder#busyTimeout(Duration) busy
 * timeout}. An append reads the stream's version, checks the expected version and the event ids, and inserts
 * its events with one reused prepared statement, batched: it is atomic. Appends that queue while the write
 * connection is busy are committed together (group commit), each in its own savepoint: one commit, and with
 * {@link Synchronous#FULL} one disk sync, serves them all, while each append still succeeds or fails on its
 * own. Only a failed commit fails every append of its group, none of which is then stored.
 *
 * <h2>Global order</h2>
 * A position is the event's rowid, assigned as the highest position plus one inside the write transaction.
 * SQLite admits one write transaction at a time across all connections and processes, so commit order equals
 * position order: a reader that has seen position p can never later see a committed event below p, and no
 * reader ever waits for an in-flight write.
 *
 * <h2>Reads</h2>
 * Reads use a small pool of read connections that run concurrently with the writer (WAL mode). Each read sees
 * only committed events. {@link #readAll(GlobalRead)} fetches the log a page at a time, each page on a pooled
 * connection, so memory stays flat. Subscriptions poll the log; appends through this instance wake them at
 * once. Appends by other processes sharing the file are seen by a thread that reads the head of the log while
 * anyone subscribes or waits for the head: about every 10 ms while the log is busy, backing off to the
 * {@linkplain SubscriptionOptions#pollInterval() poll interval} (at most one second) when it is quiet.
 *
 * <h2>Durability</h2>
 * The file runs in WAL mode. With {@link Synchronous#NORMAL} (the default) a committed append survives a
 * crash of the process; an operating system crash or power loss may lose the last commits (the file stays
 * consistent). {@link Synchronous#FULL} syncs the log at every commit and survives power loss too, at the cost
 * of one disk sync per write transaction.
 *
 * <h2>Transactions</h2>
 * {@link #inTransaction(SqliteTransaction.Work)} runs caller code inside the store's write transaction, so a
 * read model kept in the same file changes atomically with the append, and a checkpoint can be saved with it
 * ({@link SqliteCheckpointStore#save(SqliteTransaction, String, long)}).
 *
 * <h2>Deleting and truncating streams</h2>
 * As {@link StreamOperations} states; a deletion also removes the stream's snapshot in {@link #snapshots()} in
 * its transaction, and the highest position given is kept (table {@code log_head}) so no position is given twice.
 *
 * <h2>Failures</h2>
 * Bad input throws {@link dev.relato.InvalidEventException} before the file is touched. A failed write is rolled
 * back, so nothing of a failed append is stored. SQLite failures on the allow-list of transient conditions throw
 * {@link StoreUnavailableException}: a lock held by another connection or process beyond the busy timeout
 * ({@code SQLITE_BUSY}, {@code SQLITE_LOCKED}), out of memory, a full disk, an I/O error other than refused access
 * or corrupt data, a race on the write-ahead log's locks. Every other failure is permanent and throws
 * {@link dev.relato.StoreFailureException}: a missing table, a read-only or corrupt file, a file that is not a
 * database. Subscriptions and projection runners retry the first kind under their retry policy and stop at once
 * on the second. {@link Builder#errorClassifier(ErrorClassifier)} adjusts the verdict. Using a closed store throws
 * {@link IllegalStateException}; closing waits for reads and writes in progress, so none sees its connection
 * closed under it.
 *
 * <p><b>Thread safety:</b> thread-safe; one instance serves every thread of a process.
 */
public final class SqliteEventStore implements EventStore, StoreCompanions, StreamOperations, PayloadReads {
    /** The store name observers are told. */
    static final String STORE = "sqlite";

    /** How hard a commit pushes the file to disk. */
    public enum Synchronous {
        /** Durable across a crash of the process; the last commits may be lost to an OS crash or power loss. */
        NORMAL,
        /** Durable across power loss: the write-ahead log is synced at every commit. */
        FULL
    }

    private final SqliteDatabase db;
    private final SqliteSql sql;
    private final int maxEventBytes;
    private final SubscriptionOptions subscriptionOptions;
    private final AppendSignal signal = new AppendSignal();
    private final SqliteDataKeyStore dataKeys;
    private final LogReader log = this::readPage;
    private final Set<TrackedSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    /** Callers waiting in {@link #awaitHead}. */
    private final AtomicInteger headWaiters = new AtomicInteger();
    /** Wakes subscriptions for appends by other processes: runs while anyone subscribes or waits. */
    private final HeadWatch headWatch;
    private final SqliteSnapshotStore snapshots;
    private final SqliteCheckpointStore checkpoints;
    private final SqliteDeadLetterStore deadLetters;
    private final RelatoObserver observer;
    private final SqliteDeadlineStore deadlines;
    private volatile boolean closed;

    private SqliteEventStore(Builder builder) {
        this.observer = builder.observer;
        this.sql = new SqliteSql(builder.tablePrefix);
        this.maxEventBytes = builder.maxEventBytes;
        this.subscriptionOptions = builder.subscriptionOptions;
        this.db = SqliteDatabase.open(builder.path, sql, builder.synchronous, builder.busyTimeout,
                builder.readConnections, builder.errorClassifier, builder.schemaPolicy, builder.observer);
        this.snapshots = new SqliteSnapshotStore(db);
        this.dataKeys = new SqliteDataKeyStore(db);
        AppendedDataKeys.register(this, dataKeys::is);
        this.checkpoints = new SqliteCheckpointStore(db);
        this.deadLetters = new SqliteDeadLetterStore(db);
        this.deadlines = new SqliteDeadlineStore(db);
        this.headWatch = new HeadWatch("relato-sqlite-head-watcher-" + db.path().getFileName(), this::headPosition,
                signal, subscriptionOptions.pollInterval(), this::watched);
    }

    /**
     * Opens (or creates) the store in {@code file} with the default settings.
     *
     * @throws dev.relato.StoreFailureException naming the path and what to check, if it cannot be opened
     * @throws StoreUnavailableException        if it cannot be opened now for a transient reason
     */
    public static SqliteEventStore open(Path file) {
        return builder().path(file).build();
    }

    /** A builder for a store with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The database file, as an absolute path. */
    public Path path() {
        return db.path();
    }

    /** The snapshot store in the same file; closed with this store. */
    @Override
    public SqliteSnapshotStore snapshots() {
        return snapshots;
    }

    /** The checkpoint store in the same file; closed with this store. */
    @Override
    public SqliteCheckpointStore checkpoints() {
        return checkpoints;
    }

    /**
     * Runs {@code query} on one of this store's read connections and returns its result: for read models kept in
     * this file, so that a query borrows a pooled, already open connection instead of opening one of its own. The
     * connection is read-only ({@code PRAGMA query_only}), sees the last committed state of the file (never the
     * caller's transaction in progress), and goes back to the pool when {@code query} returns; close what the query
     * opens on it, and do not keep it. Waits for a connection if all {@link Builder#readConnections} are in use.
     *
     * <p>Thread-safe. A {@link SQLException} the query throws (a syntax error, a write refused) surfaces as
     * {@link dev.relato.StoreFailureException}, or {@link StoreUnavailableException} if SQLite was busy, and the
     * connection is discarded.
     */
    public <T> T query(Query<T> query) {
        Objects.requireNonNull(query, "query must not be null");
        return db.read("query", session -> query.run(session.connection()));
    }

    /**
     * A read of the caller's own tables on a read connection of the store; see {@link #query(Query)}.
     *
     * @param <T> the result
     */
    @FunctionalInterface
    public interface Query<T> {
        /** Reads through {@code connection}, which belongs to the store. */
        T run(Connection connection) throws SQLException;
    }

    /**
     * This store running {@code projections} inline with every append made through the returned store, in the
     * append's write transaction; see {@link SqliteProjectingEventStore}. Closing either closes this store.
     *
     * @throws IllegalArgumentException if two projections share a name or one handles a class the serializer does
     *                                  not know
     */
    public SqliteProjectingEventStore projecting(EventSerializer serializer, List<Projection<Connection>> projections) {
        return SqliteProjectingEventStore.of(this, serializer, projections);
    }

    /** The dead-letter store in the same file; closed with this store. */
    @Override
    public SqliteDeadLetterStore deadLetters() {
        return deadLetters;
    }

    /**
     * Projection leases of node {@code nodeId} in the same file, shared with every process that opens it; closed
     * with this store.
     *
     * @param nodeId this node's id, unique among the nodes (for example host name and process id), 1 to 200
     *               characters
     * @throws dev.relato.InvalidInputException if the node id is blank, too long or has a control character
     */
    @Override
    public SqliteProjectionLeases leases(String nodeId) {
        return new SqliteProjectionLeases(db, nodeId);
    }

    /** The wrapped data keys of personal data, in this file; for a {@link dev.relato.privacy.PersonalDataStore}. */
    public SqliteDataKeyStore dataKeys() {
        return dataKeys;
    }

    /** The deadline store of process managers in the same file; closed with this store. */
    public SqliteDeadlineStore deadlines() {
        return deadlines;
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
        AppendValidation.validate(stream, expected, events, maxEventBytes);
        String[] metadata = metadataJson(events);
        List<WrappedKey> keys = AppendedDataKeys.take(dataKeys::is);
        AppendResult result = db.writeGrouped("append to stream '" + stream + "'", session -> {
            dataKeys.insert(session, keys);
            return appendIn(session, stream, expected, events, metadata);
        });
        if (!result.retried()) {
            signal.fire();
        }
        return result;
    }

    /**
     * Runs {@code work} inside the store's write transaction: appends made through the transaction and SQL run on
     * {@link SqliteTransaction#connection()} commit together when the work returns, and are all rolled back if
     * it throws. Other threads' writes wait meanwhile, so keep the work short.
     *
     * @throws IllegalStateException if called from inside a transaction of this store
     * @throws RelatoException wrapping a checked exception (such as a {@link java.sql.SQLException} of the
     *                         caller's SQL) thrown by the work, after the rollback; runtime exceptions pass
     *                         through unchanged
     */
    public void inTransaction(SqliteTransaction.Work work) {
        callInTransaction(tx -> {
            work.run(tx);
            return null;
        });
    }

    /**
     * As {@link #inTransaction(SqliteTransaction.Work)}, returning the work's result.
     *
     * @param <T> the result type
     */
    public <T> T callInTransaction(SqliteTransaction.Function<T> work) {
        Objects.requireNonNull(work, "work");
        boolean[] appended = new boolean[1];
        T result = db.write("transaction", session -> {
            SqliteTransaction tx = new SqliteTransaction(this, session);
            try {
                T value = work.apply(tx);
                if (tx.isBroken()) {
                    String message = "a failed append inside the transaction on SQLite database '" + db.path()
                            + "' could not be undone alone, so the whole transaction was rolled back";
                    throw tx.brokenBy() instanceof StoreUnavailableException
                            ? new StoreUnavailableException(message, tx.brokenBy())
                            : new StoreFailureException(message, tx.brokenBy());
                }
                appended[0] = tx.hasAppended();
                return value;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new RelatoException("the work of a transaction on SQLite database '" + db.path()
                        + "' failed, so the transaction was rolled back: " + e, e);
            } finally {
                tx.end();
            }
        });
        if (appended[0]) {
            signal.fire();
        }
        return result;
    }

    /** An append inside an open write transaction; used by {@link SqliteTransaction}. */
    AppendResult appendInTransaction(SqliteSession session, StreamId stream, ExpectedVersion expected,
                                     List<EventData> events) {
        AppendValidation.validate(stream, expected, events, maxEventBytes);
        String[] metadata = metadataJson(events);
        List<WrappedKey> keys = AppendedDataKeys.take(dataKeys::is);
        try {
            return SqliteDatabase.inSavepoint(session, s -> {
                dataKeys.insert(s, keys);
                return appendIn(s, stream, expected, events, metadata);
            });
        } catch (SQLException e) {
            throw db.failure("append to stream '" + stream + "'", e);
        }
    }

    private static String[] metadataJson(List<EventData> events) {
        String[] json = new String[events.size()];
        for (int i = 0; i < json.length; i++) {
            Metadata metadata = events.get(i).metadata();
            json[i] = metadata.isEmpty() ? null : Json.writeMetadata(metadata);
        }
        return json;
    }

    /** The append itself, inside a write transaction: checks, then one batched insert. */
    private AppendResult appendIn(SqliteSession session, StreamId stream, ExpectedVersion expected,
                                  List<EventData> events, String[] metadata) throws SQLException {
        PreparedStatement state = session.prepare(sql.appendState());
        state.setString(1, stream.category());
        state.setString(2, stream.id());
        state.setString(3, events.get(0).eventId().toString());
        long head;
        long current;
        boolean firstIdStored;
        try (ResultSet rs = state.executeQuery()) {
            rs.next();
            head = rs.getLong(1);
            current = rs.getLong(2);
            rs.getLong(3);
            firstIdStored = !rs.wasNull();
            if (rs.getBoolean(4)) {
                throw new StreamDeletedException(stream);
            }
        }
        if (firstIdStored) {
            return retryOf(session, stream, expected, events);
        }
        if (!expected.matches(current)) {
            throw new WrongExpectedVersionException(stream, expected, current);
        }
        long recordedAt = db.nextRecordedAt();
        Instant recordedInstant = instant(recordedAt);
        PreparedStatement insert = session.prepare(sql.insertEvent());
        int n = events.size();
        RecordedEvent[] recorded = new RecordedEvent[n];
        for (int i = 0; i < n; i++) {
            EventData e = events.get(i);
            recorded[i] = RecordedEvent.of(e, stream, current + 1 + i, head + 1 + i, recordedInstant);
            insert.setLong(1, head + 1 + i);
            insert.setString(2, stream.category());
            insert.setString(3, stream.id());
            insert.setLong(4, current + 1 + i);
            insert.setString(5, e.eventId().toString());
            insert.setString(6, e.type());
            insert.setInt(7, e.schemaVersion());
            insert.setString(8, e.payload());
            insert.setString(9, metadata[i]);
            insert.setLong(10, recordedAt);
            if (e.occurredAt().isPresent()) {
                insert.setLong(11, epochMicros(e.occurredAt().get()));
            } else {
                insert.setNull(11, Types.INTEGER);
            }
            insert.setLong(12, head + 1);
            if (n > 1) {
                insert.addBatch();
            }
        }
        try {
            if (n > 1) {
                insert.executeBatch();
            } else {
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            if (n > 1) {
                insert.clearBatch();
            }
            if (SqliteErrors.isUniqueViolation(e)) {
                throw duplicateOf(session, stream, events, head);
            }
            throw db.appendFailure("append to stream '" + stream + "'", e);
        }
        return AppendResult.of(List.of(recorded), false);
    }

    /** Where an event id is stored, or empty. */
    private Optional<Stored> stored(SqliteSession session, UUID eventId) throws SQLException {
        PreparedStatement find = session.prepare(sql.eventById());
        find.setString(1, eventId.toString());
        try (ResultSet rs = find.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Stored(new StreamId(rs.getString(1), rs.getString(2)), rs.getLong(3), rs.getLong(4),
                    rs.getLong(5)));
        }
    }

    /** Whether the event at {@code position} was written by the append that began at {@code appendFirst}. */
    private boolean sameAppend(SqliteSession session, long position, long appendFirst) throws SQLException {
        PreparedStatement find = session.prepare(sql.appendFirstAt());
        find.setLong(1, position);
        try (ResultSet rs = find.executeQuery()) {
            return rs.next() && rs.getLong(1) == appendFirst;
        }
    }

    private record Stored(StreamId stream, long version, long position, long appendFirst) {
    }

    /**
     * The batch's first event id is stored: an idempotent retry if exactly these events, in this order, were
     * written by one earlier append to this stream, right after a version the expectation accepts; otherwise a
     * duplicate.
     */
    private AppendResult retryOf(SqliteSession session, StreamId stream, ExpectedVersion expected,
                                 List<EventData> events) throws SQLException {
        long versionBefore = -1;
        long firstPosition = 0;
        long lastPosition = 0;
        UUID first = events.get(0).eventId();
        for (int i = 0; i < events.size(); i++) {
            UUID id = events.get(i).eventId();
            Optional<Stored> found = stored(session, id);
            if (found.isEmpty()) {
                throw new DuplicateEventException(stream, first, "while event " + id + " of the same append is not; "
                        + "a retry must repeat the original append exactly");
            }
            Stored s = found.get();
            if (!s.stream().equals(stream)) {
                throw new DuplicateEventException(stream, id, "in stream '" + s.stream() + "' at version " + s.version());
            }
            if (i == 0) {
                versionBefore = s.version() - 1;
                firstPosition = s.position();
            }
            if (s.version() != versionBefore + 1 + i || s.appendFirst() != firstPosition) {
                throw new DuplicateEventException(stream, id, "at version " + s.version() + " by another append than "
                        + "this one; a retry must repeat the original append exactly");
            }
            lastPosition = s.position();
        }
        if (sameAppend(session, lastPosition + 1, firstPosition)) {
            throw new DuplicateEventException(stream, first, "by an append of more events than this one; a retry "
                    + "must repeat the original append exactly");
        }
        if (!expected.matches(versionBefore)) {
            throw new DuplicateEventException(stream, first, "at version " + (versionBefore + 1)
                    + ", while this append expects the stream at " + expected);
        }
        return AppendResult.of(read(session, stream, StreamRead.forwards().from(versionBefore + 1)
                .to(versionBefore + events.size())), true);
    }

    /** After a unique violation on insert: the first event id stored before this append began. */
    private DuplicateEventException duplicateOf(SqliteSession session, StreamId stream, List<EventData> events,
                                                long head) throws SQLException {
        for (EventData e : events) {
            Optional<Stored> found = stored(session, e.eventId());
            if (found.isPresent() && found.get().position() <= head) {
                Stored s = found.get();
                return new DuplicateEventException(stream, e.eventId(), "in stream '" + s.stream() + "' at version "
                        + s.version());
            }
        }
        throw new SQLException("unique constraint violated on append to stream '" + stream
                + "' though no event id of the append was stored before it");
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(read, "read");
        return Observed.read(observer, STORE, stream, () -> db.read("read of stream '" + stream + "'", session -> read(session, stream, read)));
    }

    /** A stream read on the session, inside whatever transaction it is in; used by {@link SqliteTransaction}. */
    List<RecordedEvent> read(SqliteSession session, StreamId stream, StreamRead read) throws SQLException {
        PreparedStatement select = session.prepare(sql.readStream(read.direction() == Direction.FORWARDS));
        bindStreamRead(select, stream, read);
        return events(select, stream);
    }

    /** Binds the parameters of {@link SqliteSql#readStream} (and {@link SqliteSql#readStreamPayloads}). */
    private static void bindStreamRead(PreparedStatement select, StreamId stream, StreamRead read)
            throws SQLException {
        select.setString(1, stream.category());
        select.setString(2, stream.id());
        select.setLong(3, read.lowestVersion());
        select.setLong(4, read.highestVersion());
        select.setLong(5, read.asOf().map(SqliteEventStore::epochNanos).orElse(Long.MAX_VALUE));
        select.setInt(6, read.limit());
    }

    /**
     * The events {@link #read(StreamId, StreamRead)} returns, with only the columns a fold needs selected and
     * converted.
     */
    @Override
    public List<StoredPayload> readPayloads(StreamId stream, StreamRead read) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(read, "read");
        return Observed.read(observer, STORE, stream, () -> db.read("read of stream '" + stream + "'", session -> {
            PreparedStatement select = session.prepare(sql.readStreamPayloads(read.direction() == Direction.FORWARDS));
            bindStreamRead(select, stream, read);
            List<StoredPayload> events = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    events.add(new StoredPayload(rs.getLong(1), UUID.fromString(rs.getString(2)), rs.getString(3),
                            rs.getInt(4), rs.getString(5)));
                }
            }
            return events;
        }));
    }

    @Override
    public Stream<RecordedEvent> readAll(GlobalRead read) {
        Objects.requireNonNull(read, "read");
        return log.stream(read);
    }

    /** Up to {@code max} events matching {@code filter} after {@code afterPosition}, rising. */
    private List<RecordedEvent> readPage(long afterPosition, EventFilter filter, int max) {
        return db.read("read of the log after position " + afterPosition,
                session -> readPage(session, afterPosition, filter, max));
    }

    /** A page of the log on the session, inside whatever transaction it is in; used by {@link SqliteTransaction}. */
    List<RecordedEvent> readPage(SqliteSession session, long afterPosition, EventFilter filter, int max)
            throws SQLException {
        List<String> categories = List.copyOf(filter.categories());
        List<String> types = List.copyOf(filter.types());
        PreparedStatement select = session.prepare(filter.streamNotices()
                ? sql.readPageWithNotices(categories.size(), types.size())
                : sql.readPage(categories.size(), types.size()));
        int p = 1;
        select.setLong(p++, afterPosition);
        for (String category : categories) {
            select.setString(p++, category);
        }
        for (String type : types) {
            select.setString(p++, type);
        }
        select.setInt(p++, max);
        if (filter.streamNotices()) {
            select.setLong(p++, afterPosition);
            for (String category : categories) {
                select.setString(p++, category);
            }
            select.setInt(p++, max);
            select.setInt(p, max);
        }
        return events(select, null);
    }

    private static List<RecordedEvent> events(PreparedStatement select, StreamId knownStream) throws SQLException {
        List<RecordedEvent> events = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                StreamId stream = knownStream != null ? knownStream : new StreamId(rs.getString(2), rs.getString(3));
                Instant recordedAt = instant(rs.getLong(10));
                long occurredMicros = rs.getLong(11);
                Instant occurredAt = rs.wasNull() ? recordedAt : instantOfMicros(occurredMicros);
                Optional<StreamNotice.Kind> notice = rs.getString(5) == null
                        ? StreamNotice.Kind.ofType(rs.getString(6)) : Optional.empty();
                if (notice.isPresent()) {
                    events.add(new StreamNotice(stream, notice.get(), rs.getLong(4), rs.getLong(1), recordedAt)
                            .toRecord());
                    continue;
                }
                events.add(new RecordedEvent(UUID.fromString(rs.getString(5)), stream, rs.getLong(4), rs.getLong(1),
                        rs.getString(6), rs.getInt(7), rs.getString(8), Json.readMetadata(rs.getString(9)),
                        recordedAt, occurredAt));
            }
        }
        return events;
    }

    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        checkOpen();
        PollingSubscription polling = PollingSubscription.start(log, afterPosition, filter, listener, signal,
                subscriptionOptions);
        TrackedSubscription tracked = new TrackedSubscription(polling);
        subscriptions.add(tracked);
        headWatch.ensureRunning();
        if (closed) { // closed while starting: close() may have missed it
            tracked.close();
            checkOpen();
        }
        return tracked;
    }

    /** Whether the head is to be watched: while this store is open and anyone subscribes or waits for the head. */
    private boolean watched() {
        return !closed && (headWaiters.get() > 0 || subscriptions.stream().anyMatch(s -> s.state().isRunning()));
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the SQLite event store at '" + db.path() + "' is closed");
        }
    }

    /** Forgets a subscription when its owner closes it, so the store does not keep closed ones. */
    private final class TrackedSubscription implements Subscription {
        private final PollingSubscription delegate;

        TrackedSubscription(PollingSubscription delegate) {
            this.delegate = delegate;
        }

        @Override
        public long position() {
            return delegate.position();
        }

        @Override
        public boolean isCaughtUp() {
            return delegate.isCaughtUp();
        }

        @Override
        public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
            return delegate.awaitCaughtUp(timeout);
        }

        @Override
        public SubscriptionState state() {
            return delegate.state();
        }

        @Override
        public Optional<Throwable> failure() {
            return delegate.failure();
        }

        @Override
        public void close() {
            delegate.close();
            subscriptions.remove(this);
        }
    }

    /** Also deletes the stream's snapshot in {@link #snapshots()}, in the same transaction. */
    @Override
    public long deleteStream(StreamId stream, ExpectedVersion expected) {
        return delete(stream, expected, false);
    }

    /** Also deletes the stream's snapshot in {@link #snapshots()}, in the same transaction. */
    @Override
    public long tombstoneStream(StreamId stream, ExpectedVersion expected) {
        return delete(stream, expected, true);
    }

    private long delete(StreamId stream, ExpectedVersion expected, boolean tombstone) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(expected, "expected");
        return db.write((tombstone ? "tombstone" : "delete") + " stream '" + stream + "'",
                session -> delete(session, stream, expected, tombstone).removed());
    }

    /** What a removal did: how many events it removed, and the record of the notice it wrote if it removed any. */
    record Removal(long removed, Optional<RecordedEvent> notice) {
        private static final Removal NONE = new Removal(0, Optional.empty());
    }

    /** Deletes a stream on the session, inside its write transaction; used by the projecting store. */
    Removal delete(SqliteSession session, StreamId stream, ExpectedVersion expected, boolean tombstone)
            throws SQLException {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(expected, "expected");
        if (isTombstoned(session, stream)) {
            return Removal.NONE;
        }
        long current = streamVersion(session, stream);
        if (!expected.matches(current)) {
            throw new WrongExpectedVersionException(stream, expected, current);
        }
        session.prepare(sql.keepHead()).executeUpdate();
        long removed = deleteBelow(session, stream, Long.MAX_VALUE);
        PreparedStatement snapshot = session.prepare(sql.deleteSnapshot());
        snapshot.setString(1, stream.category());
        snapshot.setString(2, stream.id());
        snapshot.executeUpdate();
        if (tombstone) {
            PreparedStatement add = session.prepare(sql.addTombstone());
            add.setString(1, stream.category());
            add.setString(2, stream.id());
            add.setLong(3, System.currentTimeMillis());
            add.executeUpdate();
        }
        if (removed == 0) {
            return Removal.NONE;
        }
        return new Removal(removed, Optional.of(addNotice(session, stream,
                tombstone ? StreamNotice.Kind.TOMBSTONED : StreamNotice.Kind.DELETED, 0)));
    }

    /**
     * Writes the notice of a removal in the removal's transaction, at the next position of the log.
     *
     * @return the notice's record
     */
    private RecordedEvent addNotice(SqliteSession session, StreamId stream, StreamNotice.Kind kind, long keptFrom)
            throws SQLException {
        long recordedAt = db.nextRecordedAt();
        PreparedStatement insert = session.prepare(sql.addNotice());
        insert.setString(1, stream.category());
        insert.setString(2, stream.id());
        insert.setString(3, kind.type());
        insert.setLong(4, keptFrom);
        insert.setLong(5, recordedAt);
        try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            return new StreamNotice(stream, kind, keptFrom, rs.getLong(1), instant(recordedAt)).toRecord();
        }
    }

    /** Keeps the stream's snapshot. */
    @Override
    public long truncateBefore(StreamId stream, long version) {
        AppendValidation.checkTruncate(stream, version);
        return db.write("truncate stream '" + stream + "'", session -> truncate(session, stream, version).removed());
    }

    /** Truncates a stream on the session, inside its write transaction; used by the projecting store. */
    Removal truncate(SqliteSession session, StreamId stream, long version) throws SQLException {
        AppendValidation.checkTruncate(stream, version);
        long keep = Math.min(version, streamVersion(session, stream));
        long removed = deleteBelow(session, stream, keep);
        if (removed == 0) {
            return Removal.NONE;
        }
        return new Removal(removed, Optional.of(addNotice(session, stream, StreamNotice.Kind.TRUNCATED, keep)));
    }

    private long deleteBelow(SqliteSession session, StreamId stream, long version) throws SQLException {
        PreparedStatement delete = session.prepare(sql.deleteEventsBelow());
        delete.setString(1, stream.category());
        delete.setString(2, stream.id());
        delete.setLong(3, version);
        return delete.executeUpdate();
    }

    @Override
    public boolean isTombstoned(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        return db.read("tombstone of stream '" + stream + "'", session -> isTombstoned(session, stream));
    }

    private boolean isTombstoned(SqliteSession session, StreamId stream) throws SQLException {
        PreparedStatement select = session.prepare(sql.isTombstoned());
        select.setString(1, stream.category());
        select.setString(2, stream.id());
        try (ResultSet rs = select.executeQuery()) {
            return rs.next();
        }
    }

    @Override
    public long streamVersion(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        return db.read("version of stream '" + stream + "'", session -> streamVersion(session, stream));
    }

    long streamVersion(SqliteSession session, StreamId stream) throws SQLException {
        PreparedStatement select = session.prepare(sql.streamVersion());
        select.setString(1, stream.category());
        select.setString(2, stream.id());
        try (ResultSet rs = select.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The largest event (payload plus metadata, in UTF-8 bytes) this store accepts. */
    @Override
    public int maxEventBytes() {
        return maxEventBytes;
    }

    @Override
    public long headPosition() {
        return db.read("head position", this::headPosition);
    }

    /** The head position on the session, inside whatever transaction it is in; used by {@link SqliteTransaction}. */
    long headPosition(SqliteSession session) throws SQLException {
        try (ResultSet rs = session.prepare(sql.headPosition()).executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * This store as seen from inside {@code tx}: an {@link EventStore} whose reads and appends run in the transaction
     * (seeing its own appends) and commit or roll back with it, for code written against {@code EventStore}, such as
     * a repository's {@code using(...)}:
     *
     * <pre>{@code
     * store.inTransaction(tx -> {
     *     orders.using(store.boundTo(tx)).handle("o-1", new ConfirmOrder("o-1"));
     *     insertAuditRow(tx.connection());   // commits with the events, or neither does
     * });
     * }</pre>
     *
     * <p>The view is usable only inside the transaction's work, on its thread (like the transaction). It cannot
     * {@link EventStore#subscribe subscribe} ({@link UnsupportedOperationException}); {@link EventStore#awaitHead}
     * returns at once, since nothing else can append while the transaction runs; {@link EventStore#close()} does
     * nothing.
     *
     * @throws IllegalArgumentException if the transaction belongs to another store
     * @throws IllegalStateException    if the transaction has ended
     */
    public EventStore boundTo(SqliteTransaction tx) {
        Objects.requireNonNull(tx, "transaction must not be null");
        tx.session(db);
        return new SqliteBoundStore(tx, SqliteTransaction::append);
    }

    /**
     * Woken at once by this store's appends; appends by other processes sharing the file are seen by the thread
     * that watches the head (see the class description).
     *
     * @throws IllegalStateException if the store is closed, or closes while this waits
     */
    @Override
    public long awaitHead(long afterPosition, Duration timeout) throws InterruptedException {
        headWaiters.incrementAndGet();
        try {
            headWatch.ensureRunning();
            return signal.awaitHead(afterPosition, timeout, subscriptionOptions.pollInterval(), this::headPosition);
        } finally {
            headWaiters.decrementAndGet();
        }
    }

    /** Closes the subscriptions, then the connections; waits for reads and a write in progress. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Subscription subscription : List.copyOf(subscriptions)) {
            subscription.close();
        }
        headWatch.close();
        db.close();
        signal.fire();
    }

    @Override
    public String toString() {
        return "SqliteEventStore[" + db.path() + ", prefix '" + sql.prefix + "']";
    }

    SqliteDatabase database() {
        return db;
    }

    static long epochNanos(Instant instant) {
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
        } catch (ArithmeticException e) {
            return instant.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** Microseconds since the epoch: occurrence times span years 1 to 9999, beyond nanoseconds in a long. */
    static long epochMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    static Instant instantOfMicros(long epochMicros) {
        return Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1_000L);
    }

    static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    /**
     * Settings of a {@link SqliteEventStore}; every one but the path has a default. Not thread-safe; use it on one
     * thread, then {@link #build()}.
     */
    public static final class Builder {
        private Path path;
        private String tablePrefix = "relato_";
        private int maxEventBytes = AppendValidation.DEFAULT_MAX_EVENT_BYTES;
        private Synchronous synchronous = Synchronous.NORMAL;
        private Duration busyTimeout = Duration.ofSeconds(30);
        private int readConnections = 4;
        private SubscriptionOptions subscriptionOptions = SubscriptionOptions.DEFAULT;
        private ErrorClassifier errorClassifier = ErrorClassifier.storeDefault();
        private SchemaPolicy schemaPolicy = SchemaPolicy.MIGRATE;
        private RelatoObserver observer = RelatoObserver.none();

        private Builder() {
        }

        /** The database file; created if absent, its directory must exist. Required. */
        public Builder path(Path file) {
            this.path = Objects.requireNonNull(file, "path");
            return this;
        }

        /**
         * Prefix of the store's table names, so several stores or an application's own tables can share the
         * file. Default {@code "relato_"}; may be empty.
         *
         * @throws IllegalArgumentException if it is not an identifier (letters, digits, {@code _}, at most 48)
         */
        public Builder tablePrefix(String prefix) {
            this.tablePrefix = SqliteSql.validatePrefix(prefix);
            return this;
        }

        /**
         * The largest event (payload plus metadata, in UTF-8 bytes) an append accepts. Default 1 MiB.
         *
         * @throws IllegalArgumentException if below 64
         */
        public Builder maxEventBytes(int bytes) {
            this.maxEventBytes = AppendValidation.checkMaxEventBytes(bytes);
            return this;
        }

        /** How hard commits push to disk; default {@link Synchronous#NORMAL}. */
        public Builder synchronous(Synchronous mode) {
            this.synchronous = Objects.requireNonNull(mode, "synchronous");
            return this;
        }

        /**
         * How long a write waits for another process' write transaction on the same file before failing with
         * {@link dev.relato.StoreUnavailableException}. Default 30 seconds.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder busyTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("busy timeout must not be negative, got " + timeout);
            }
            this.busyTimeout = timeout;
            return this;
        }

        /**
         * The most read connections open at once; reads beyond wait for one. Default 4.
         *
         * @throws IllegalArgumentException if not 1 to 64
         */
        public Builder readConnections(int count) {
            if (count < 1 || count > 64) {
                throw new IllegalArgumentException("read connections must be 1 to 64, got " + count);
            }
            this.readConnections = count;
            return this;
        }

        /**
         * How subscriptions read the log, retry and close; default {@link SubscriptionOptions#DEFAULT}. Its poll
         * interval is the longest a subscription at the head of the log waits before looking for events appended
         * by other processes; this store's own appends wake it at once.
         */
        public Builder subscriptionOptions(SubscriptionOptions options) {
            this.subscriptionOptions = Objects.requireNonNull(options, "subscription options");
            return this;
        }

        /**
         * Adjusts which SQLite failures are transient ({@link StoreUnavailableException}, retried by subscriptions
         * and projection runners) and which are permanent ({@link dev.relato.StoreFailureException}). The classifier
         * sees every failure of this store and of its snapshot, checkpoint and dead-letter stores, with the
         * store's own verdict (see the class description); default: that verdict.
         */
        public Builder errorClassifier(ErrorClassifier classifier) {
            this.errorClassifier = Objects.requireNonNull(classifier, "error classifier");
            return this;
        }

        /**
         * What opening does with the file's tables: {@link SchemaPolicy#MIGRATE} (the default) creates them if absent
         * and migrates older ones; {@link SchemaPolicy#VALIDATE} refuses to open unless they are at this version's
         * schema; {@link SchemaPolicy#EXTERNAL} changes and checks nothing.
         */
        public Builder schemaPolicy(SchemaPolicy policy) {
            this.schemaPolicy = Objects.requireNonNull(policy, "schema policy");
            return this;
        }

        /**
         * The observer told about appends and stream loads (as store {@code "sqlite"}), how long each append waited
         * in the single writer's queue and how many appends each group commit took; handed to the repositories and
         * projection runners built on the store. Default {@link RelatoObserver#none()}.
         */
        public Builder observer(RelatoObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Opens the store: creates the file if absent, then treats its tables as {@link #schemaPolicy} says (by
         * default, creates or migrates them).
         *
         * @throws IllegalStateException                if no path was given
         * @throws dev.relato.StoreFailureException     naming the path and what to check, if it cannot be opened
         * @throws StoreUnavailableException            if it cannot be opened now for a transient reason (a lock
         *                                              held by another process beyond the busy timeout, a full disk)
         */
        public SqliteEventStore build() {
            if (path == null) {
                throw new IllegalStateException("a SQLite event store needs a file: call path(...) before build()");
            }
            return new SqliteEventStore(this);
        }
    }
}
