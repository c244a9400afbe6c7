package dev.relato.postgres;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.SubscriptionOptions;
import dev.relato.WrongExpectedVersionException;
import dev.relato.spi.AppendSignal;
import dev.relato.spi.AppendValidation;
import dev.relato.spi.Json;
import dev.relato.spi.LogReader;
import dev.relato.spi.PollingSubscription;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL {@link EventStore}: the production backend. Built with {@link #builder()} over a
 * {@link DataSource} the application owns (a pool such as HikariCP; the store never closes it):
 *
 * <pre>{@code
 * PostgresEventStore store = PostgresEventStore.builder()
 *         .dataSource(pool)
 *         .schema("relato")
 *         .tablePrefix("")
 *         .build();
 * store.migrate();
 * }</pre>
 *
 * <p><b>Transactions.</b> {@link #append(StreamId, ExpectedVersion, List)} runs in a transaction of its own
 * (one round trip: a single call of the schema's append function). {@link #append(Connection, StreamId,
 * ExpectedVersion, List)} joins the caller's transaction instead and neither commits nor rolls it back, so
 * events and read-model changes commit together. Events appended in a transaction that rolls back leave no
 * trace.
 *
 * <p><b>Concurrency.</b> The database is the only arbiter: the head row of each stream is inserted or
 * updated conditionally on the expected version, event ids are unique, versions are unique per stream. Any
 * number of stores in any number of processes may write to one schema.
 *
 * <p><b>Global order.</b> A position is the writing transaction's id shifted left by 20 bits plus the event's
 * number within that transaction, so the log is ordered by transaction first. Readers only return events
 * below the lowest transaction id still in flight in this database ({@code pg_current_snapshot()}, with
 * transactions {@code pg_stat_activity} places in other databases left out) shifted the same way: every
 * transaction that might still commit sorts above that bound, so a reader never passes a position a late
 * commit could take, and a rolled-back transaction simply vanishes, with no timeout. Positions are strictly
 * increasing but sparse. A long-running writing transaction in the same database holds readers of the log
 * back until it ends (stream reads are never held back). One transaction can append at most 1,048,575 events.
 *
 * <p><b>Failures.</b> A server failure surfaces as {@link dev.relato.StoreUnavailableException}; an append
 * that fails that way happened wholly or not at all and may be retried with the same event ids. Errors
 * PostgreSQL raises on the data (JSON it refuses, such as {@code \u0000}) surface as
 * {@link dev.relato.InvalidEventException}. Subscriptions survive lost connections: their reads are retried
 * with backoff and the LISTEN connection is re-established.
 *
 * <p><b>Connections.</b> Every operation borrows a connection from the data source for its duration. While
 * subscriptions are open the store also keeps one connection for LISTEN, so a pool needs at least two
 * connections. Lock waits (an append waiting for a concurrent writer of the same stream to commit) are
 * bounded only by the server's {@code lock_timeout} and {@code statement_timeout}, if set.
 *
 * <p>Thread-safe: one instance serves a whole process. {@link #close()} stops its subscriptions and its
 * listener thread; the data source stays open. After {@code close()} every method but {@code close}
 * throws {@link IllegalStateException}.
 */
public final class PostgresEventStore implements EventStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresEventStore.class);
    private static final int ATTEMPTS = 3;
    private static final String EVENT_ID_CONSTRAINT = "events_event_id_key";
    private static final String STREAM_VERSION_CONSTRAINT = "events_stream_version_key";
    private static final Instant EARLIEST_AS_OF = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST_AS_OF = Instant.parse("9999-12-31T23:59:59.999999Z");

    private final DataSource dataSource;
    private final PostgresSchema schema;
    private final Sql sql;
    private final int maxEventBytes;
    private final SubscriptionOptions subscriptionOptions;
    private final AppendSignal signal = new AppendSignal();
    private final Object lifecycle = new Object();
    /** Open subscriptions, and the thread that wakes them: guarded by {@link #lifecycle}. */
    private final List<PollingSubscription> subscriptions = new ArrayList<>();
    private AppendListener appendListener;
    private volatile boolean closed;

    private PostgresEventStore(Builder builder) {
        this.dataSource = Objects.requireNonNull(builder.dataSource, "a data source is required: builder().dataSource(…)");
        this.schema = new PostgresSchema(builder.schema, builder.tablePrefix);
        this.sql = new Sql(schema);
        this.maxEventBytes = AppendValidation.checkMaxEventBytes(builder.maxEventBytes);
        this.subscriptionOptions = Objects.requireNonNull(builder.subscriptionOptions, "subscription options");
    }

    /** A builder with the defaults: schema {@code relato}, no table prefix, 1 MiB events. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where this store's tables are. */
    public PostgresSchema schema() {
        return schema;
    }

    /** Creates or upgrades the schema; see {@link PostgresSchema#migrate(DataSource)}. Idempotent. */
    public void migrate() {
        schema.migrate(dataSource);
    }

    /** A snapshot store in this store's schema and data source. */
    public PostgresSnapshotStore snapshotStore() {
        return new PostgresSnapshotStore(dataSource, schema);
    }

    /** A checkpoint store in this store's schema and data source. */
    public PostgresCheckpointStore checkpointStore() {
        return new PostgresCheckpointStore(dataSource, schema);
    }

    @Override
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        ensureOpen();
        AppendValidation.validate(stream, expected, events, maxEventBytes);
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                AppendResult result = Sessions.autoCommitted(c, connection -> {
                    AppendResult appended = doAppend(connection, stream, expected, events);
                    if (!appended.retried()) {
                        notifyCommitted(connection, stream);
                    }
                    return appended;
                });
                if (!result.retried()) {
                    signal.fire();
                }
                return result;
            } catch (SQLException e) {
                // Two writers raced with the same ids or versions and the other committed first: the next
                // attempt sees its events and answers from them (retry or duplicate, wrong version).
                boolean raced = SqlErrors.isUniqueViolation(e, schema.tablePrefix() + EVENT_ID_CONSTRAINT)
                        || SqlErrors.isUniqueViolation(e, schema.tablePrefix() + STREAM_VERSION_CONSTRAINT);
                if (raced && attempt < ATTEMPTS) {
                    LOG.debug("append to '{}' raced with another writer; trying again", stream);
                    continue;
                }
                throw appendFailure(e, stream, expected, events, "");
            }
        }
    }

    /**
     * Appends within the caller's transaction: the events become visible when the caller commits and vanish
     * if it rolls back. The connection is used as is (never committed, rolled back or closed here). A refused
     * append ({@link WrongExpectedVersionException}, or {@link DuplicateEventException} found before writing)
     * leaves the transaction usable; any other exception means PostgreSQL aborted the transaction.
     *
     * @param tx a connection of the same database with auto-commit off (or on, for a one-statement transaction)
     * @see #append(StreamId, ExpectedVersion, List)
     */
    public AppendResult append(Connection tx, StreamId stream, ExpectedVersion expected, List<EventData> events) {
        Objects.requireNonNull(tx, "connection must not be null");
        ensureOpen();
        AppendValidation.validate(stream, expected, events, maxEventBytes);
        try {
            AppendResult result = doAppend(tx, stream, expected, events);
            if (!result.retried()) {
                queueNotification(tx);
            }
            return result;
        } catch (SQLException e) {
            throw appendFailure(e, stream, expected, events, "; the caller's transaction is aborted");
        }
    }

    /**
     * Wakes listening subscriptions in every process after an append committed, in a transaction of its own
     * that writes nothing. The append function does not notify: a NOTIFY in the appending transaction would
     * hold PostgreSQL's cluster-wide notification lock through that transaction's commit and WAL flush,
     * making concurrent appends commit one at a time. A failure here is logged, not thrown: the append is
     * committed, and subscriptions poll as well.
     */
    private void notifyCommitted(Connection autoCommitted, StreamId stream) {
        try {
            queueNotification(autoCommitted);
        } catch (SQLException e) {
            LOG.warn("the append to '{}' is committed, but notifying subscriptions failed; they will find it when"
                    + " they next poll: {}", stream, e.toString());
        }
    }

    /** Queues the notification of the append channel, sent when the connection's transaction commits. */
    private void queueNotification(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.notifyAppended)) {
            ps.setString(1, sql.channel);
            ps.execute();
        }
    }

    /** The exception for an append PostgreSQL refused with an error. */
    private RuntimeException appendFailure(SQLException e, StreamId stream, ExpectedVersion expected,
                                           List<EventData> events, String consequence) {
        if (SqlErrors.isUniqueViolation(e, schema.tablePrefix() + EVENT_ID_CONSTRAINT)) {
            UUID id = SqlErrors.conflictingId(e).orElse(events.get(0).eventId());
            return new DuplicateEventException(stream, id, "by a concurrent transaction that committed while"
                    + " this append was running" + consequence);
        }
        if (SqlErrors.isUniqueViolation(e, schema.tablePrefix() + STREAM_VERSION_CONSTRAINT)) {
            return new WrongExpectedVersionException(stream, expected, streamVersion(stream));
        }
        return SqlErrors.translate(e, "appending to stream '" + stream + "'");
    }

    private AppendResult doAppend(Connection c, StreamId stream, ExpectedVersion expected, List<EventData> events)
            throws SQLException {
        int n = events.size();
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        Integer[] schemaVersions = new Integer[n];
        String[] payloads = new String[n];
        String[] metadata = new String[n];
        for (int i = 0; i < n; i++) {
            EventData e = events.get(i);
            ids[i] = e.eventId();
            types[i] = e.type();
            schemaVersions[i] = e.schemaVersion();
            payloads[i] = e.payload();
            metadata[i] = Json.writeMetadata(e.metadata());
        }
        Map<UUID, Stored> stored = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql.append)) {
            ps.setString(1, stream.category());
            ps.setString(2, stream.id());
            ps.setLong(3, expectedCode(expected));
            ps.setArray(4, c.createArrayOf("uuid", ids));
            ps.setArray(5, c.createArrayOf("text", types));
            ps.setArray(6, c.createArrayOf("int4", schemaVersions));
            ps.setArray(7, c.createArrayOf("text", payloads));
            ps.setArray(8, c.createArrayOf("text", metadata));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    switch (rs.getString(1)) {
                        case "appended" -> {
                            long last = rs.getLong(2);
                            return AppendResult.of(doRead(c, stream, StreamRead.forwards().from(last - n + 1).to(last)),
                                    false);
                        }
                        case "conflict" -> throw new WrongExpectedVersionException(stream, expected, rs.getLong(2));
                        case "stored" -> stored.put(rs.getObject(4, UUID.class),
                                new Stored(new StreamId(rs.getString(5), rs.getString(6)), rs.getLong(2),
                                        rs.getLong(3), rs.getInt(7), rs.getInt(8)));
                        default -> throw new IllegalStateException("unknown append outcome " + rs.getString(1));
                    }
                }
            }
        }
        if (stored.isEmpty()) {
            throw new IllegalStateException("the append function returned no outcome for stream '" + stream + "'");
        }
        Stored first = retriedOrDuplicate(stream, expected, events, stored);
        return AppendResult.of(doRead(c, stream, StreamRead.forwards().from(first.version()).to(first.version() + n - 1)),
                true);
    }

    /** Where an event id is stored: its stream, version, position, and its place in the append that wrote it. */
    private record Stored(StreamId stream, long version, long position, int appendIndex, int appendSize) {
        @Override
        public String toString() {
            return "in stream '" + stream + "' at version " + version + " (position " + position + ")";
        }
    }

    /**
     * Some ids are stored already. An idempotent retry repeats one whole earlier append (the same ids in the
     * same order, to the same stream) with an expectation its original place satisfies; anything else is a
     * duplicate.
     */
    private static Stored retriedOrDuplicate(StreamId stream, ExpectedVersion expected, List<EventData> events,
                                             Map<UUID, Stored> stored) {
        int n = events.size();
        for (int i = 0; i < n; i++) {
            UUID id = events.get(i).eventId();
            Stored at = stored.get(id);
            if (at == null) {
                UUID known = events.stream().map(EventData::eventId).filter(stored::containsKey).findFirst()
                        .orElseThrow();
                throw new DuplicateEventException(stream, known, stored.get(known)
                        + " while other events of this append are not stored");
            }
            if (!at.stream().equals(stream)) {
                throw new DuplicateEventException(stream, id, at.toString());
            }
            if (at.appendIndex() != i || at.appendSize() != n) {
                throw new DuplicateEventException(stream, id, at + " as event " + (at.appendIndex() + 1) + " of an"
                        + " append of " + at.appendSize() + ", not as event " + (i + 1) + " of " + n);
            }
        }
        Stored first = stored.get(events.get(0).eventId());
        long before = first.version() - 1;
        if (!expected.matches(before)) {
            throw new DuplicateEventException(stream, events.get(0).eventId(), first + ", appended after version "
                    + before + ", which this append's expectation (" + expected + ") does not match");
        }
        return first;
    }

    private static long expectedCode(ExpectedVersion expected) {
        if (expected instanceof ExpectedVersion.Any) {
            return -1;
        }
        if (expected instanceof ExpectedVersion.StreamExists) {
            return -2;
        }
        if (expected instanceof ExpectedVersion.NoStream) {
            return 0;
        }
        return ((ExpectedVersion.Exactly) expected).version();
    }

    @Override
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        ensureOpen();
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(read, "read");
        return Sessions.call(dataSource, () -> "reading stream '" + stream + "'", c -> doRead(c, stream, read));
    }

    /**
     * Reads part of a stream within the caller's transaction, which sees its own uncommitted appends. The
     * connection is used as is.
     *
     * @see #read(StreamId, StreamRead)
     */
    public List<RecordedEvent> read(Connection tx, StreamId stream, StreamRead read) {
        Objects.requireNonNull(tx, "connection must not be null");
        ensureOpen();
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(read, "read");
        try {
            return doRead(tx, stream, read);
        } catch (SQLException e) {
            throw SqlErrors.translate(e, "reading stream '" + stream + "'");
        }
    }

    /**
     * The instant, held within years 1 to 9999: every recorded time lies there, and instants beyond PostgreSQL's (or
     * {@link OffsetDateTime}'s) range would fail the read instead of meaning "after (or before) everything".
     */
    private static Instant asOfBound(Instant asOf) {
        return asOf.isBefore(EARLIEST_AS_OF) ? EARLIEST_AS_OF : asOf.isAfter(LATEST_AS_OF) ? LATEST_AS_OF : asOf;
    }

    private List<RecordedEvent> doRead(Connection c, StreamId stream, StreamRead read) throws SQLException {
        boolean asOf = read.asOf().isPresent();
        try (PreparedStatement ps = c.prepareStatement(sql.readStream(read.direction(), asOf))) {
            int i = 1;
            ps.setString(i++, stream.category());
            ps.setString(i++, stream.id());
            ps.setLong(i++, read.lowestVersion());
            ps.setLong(i++, read.highestVersion());
            if (asOf) {
                ps.setString(i++, stream.category());
                ps.setString(i++, stream.id());
                ps.setObject(i++, OffsetDateTime.ofInstant(asOfBound(read.asOf().get()), ZoneOffset.UTC));
            }
            ps.setInt(i, read.limit());
            return events(ps);
        }
    }

    @Override
    public Stream<RecordedEvent> readAll(GlobalRead read) {
        ensureOpen();
        Objects.requireNonNull(read, "read");
        return logReader().stream(read);
    }

    /**
     * Up to {@code max} events after {@code afterPosition}, rising, all below every position a transaction
     * in flight could still take.
     */
    List<RecordedEvent> readPage(long afterPosition, EventFilter filter, int max) {
        boolean byCategory = !filter.categories().isEmpty();
        boolean byType = !filter.types().isEmpty();
        return Sessions.call(dataSource, () -> "reading the log after position " + afterPosition, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.readPage(byCategory, byType))) {
                int i = 1;
                ps.setLong(i++, afterPosition);
                if (byCategory) {
                    ps.setArray(i++, c.createArrayOf("text", filter.categories().toArray()));
                }
                if (byType) {
                    ps.setArray(i++, c.createArrayOf("text", filter.types().toArray()));
                }
                ps.setInt(i, max);
                return events(ps);
            }
        });
    }

    private LogReader logReader() {
        return this::readPage;
    }

    @Override
    public Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(listener, "listener");
        synchronized (lifecycle) {
            ensureOpen();
            if (appendListener == null) {
                appendListener = new AppendListener(dataSource, sql, signal, subscriptionOptions.retry().maxBackoff());
                appendListener.start();
            }
            subscriptions.removeIf(s -> !s.isRunning()); // ended by their owners or their listeners
            PollingSubscription subscription = PollingSubscription.start(logReader(), afterPosition, filter, listener,
                    signal, subscriptionOptions);
            subscriptions.add(subscription);
            return subscription;
        }
    }

    @Override
    public long streamVersion(StreamId stream) {
        ensureOpen();
        Objects.requireNonNull(stream, "stream");
        return Sessions.call(dataSource, () -> "reading the version of stream '" + stream + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.streamVersion)) {
                ps.setString(1, stream.category());
                ps.setString(2, stream.id());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /** The largest event (payload plus metadata, in UTF-8 bytes) this store accepts. */
    @Override
    public int maxEventBytes() {
        return maxEventBytes;
    }

    @Override
    public long headPosition() {
        ensureOpen();
        return Sessions.call(dataSource, () -> "reading the head position", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.headPosition); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Stops every subscription and the listener thread. The data source is left open. Idempotent. */
    @Override
    public void close() {
        List<PollingSubscription> open;
        AppendListener listening;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(subscriptions);
            subscriptions.clear();
            listening = appendListener;
        }
        open.forEach(PollingSubscription::close);
        if (listening != null) {
            listening.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this PostgreSQL event store (schema '" + schema.name() + "') is closed");
        }
    }

    private static List<RecordedEvent> events(PreparedStatement ps) throws SQLException {
        List<RecordedEvent> events = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Instant recordedAt = rs.getObject(10, OffsetDateTime.class).toInstant();
                events.add(new RecordedEvent(rs.getObject(5, UUID.class), new StreamId(rs.getString(2), rs.getString(3)),
                        rs.getLong(4), rs.getLong(1), rs.getString(6), rs.getInt(7), rs.getString(8),
                        Json.readMetadata(rs.getString(9)), recordedAt, recordedAt));
            }
        }
        return events;
    }

    /**
     * Configures a {@link PostgresEventStore}. Not thread-safe; {@link #build()} validates everything and
     * throws {@link IllegalArgumentException} naming a bad value.
     */
    public static final class Builder {
        private DataSource dataSource;
        private String schema = PostgresSchema.DEFAULT_NAME;
        private String tablePrefix = "";
        private int maxEventBytes = AppendValidation.DEFAULT_MAX_EVENT_BYTES;
        private SubscriptionOptions subscriptionOptions = SubscriptionOptions.DEFAULT;

        private Builder() {
        }

        /** Where connections come from (required). The store never closes it. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Schema name; default {@code relato}. See {@link PostgresSchema} for the allowed names. */
        public Builder schema(String schemaName) {
            this.schema = schemaName;
            return this;
        }

        /** Prefix of every table name; default none. See {@link PostgresSchema}. */
        public Builder tablePrefix(String prefix) {
            this.tablePrefix = prefix;
            return this;
        }

        /** Limit of one event's payload plus metadata, in UTF-8 bytes; default 1 MiB. */
        public Builder maxEventBytes(int bytes) {
            this.maxEventBytes = bytes;
            return this;
        }

        /** How subscriptions read the log, retry and close; default {@link SubscriptionOptions#DEFAULT}. */
        public Builder subscriptionOptions(SubscriptionOptions options) {
            this.subscriptionOptions = Objects.requireNonNull(options, "subscription options");
            return this;
        }

        /**
         * @throws IllegalArgumentException if the schema name, table prefix or size limit is invalid
         * @throws NullPointerException     if no data source was given
         */
        public PostgresEventStore build() {
            return new PostgresEventStore(this);
        }
    }
}
