package dev.relato.postgres;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.ErrorClassifier;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.PayloadReads;
import dev.relato.RecordedEvent;
import dev.relato.RetryPolicy;
import dev.relato.SchemaPolicy;
import dev.relato.StoreCompanions;
import dev.relato.StoreFailureException;
import dev.relato.StreamDeletedException;
import dev.relato.StreamId;
import dev.relato.StreamNotice;
import dev.relato.StreamOperations;
import dev.relato.StreamRead;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.SubscriptionOptions;
import dev.relato.WrongExpectedVersionException;
import dev.relato.observe.Health;
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
import dev.relato.spi.RetryState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 *         .schemaPolicy(SchemaPolicy.MIGRATE)   // or VALIDATE, or EXTERNAL (the default) for a schema tool
 *         .build();
 * }</pre>
 *
 * <p><b>Transactions.</b> {@link #append(StreamId, ExpectedVersion, List)} runs in a transaction of its own
 * (one round trip: for an exact or no-stream expectation a single insert, otherwise a single call of the
 * schema's append function; a second round trip, a call of the function that looks the event ids up first, when
 * the insert was refused). {@link #append(Connection, StreamId,
 * ExpectedVersion, List)} joins the caller's transaction instead and neither commits nor rolls it back, so
 * events and read-model changes commit together. Events appended in a transaction that rolls back leave no
 * trace.
 *
 * <p><b>Concurrency.</b> The database is the only arbiter: a stream's version is its highest stored event,
 * versions are unique per stream and event ids are unique, and an append inserts the version after the expected
 * one only if that one is stored. Any number of stores in any number of processes may write to one schema.
 *
 * <p><b>Global order.</b> A position is the writing transaction's id shifted left by 20 bits plus the event's
 * number within that transaction, so the log is ordered by transaction first. Readers only return events
 * below the lowest transaction id still in flight in this database ({@code pg_current_snapshot()}, with
 * transactions {@code pg_stat_activity} places in other databases left out) shifted the same way: every
 * transaction that might still commit sorts above that bound, so a reader never passes a position a late
 * commit could take, and a rolled-back transaction simply vanishes, with no timeout. Positions are strictly
 * increasing but sparse. A long-running writing transaction in the same database holds readers of the log
 * back until it ends (stream reads are never held back). One transaction can append at most 1,048,575 events.
 * Within one stream, positions rise with versions: an append follows a committed event, so a transaction that
 * takes its id in the append sorts after it, and an append in a transaction that had an id before and would still
 * sort below the stream's last event is refused as a serialization failure (see Failures).
 *
 * <p><b>Failures.</b> A transient failure (on the allow-list: a connection lost or refused, a serialization
 * failure or deadlock, the server shutting down or starting up or out of resources, a lock not available, a pool
 * with no connection to lend in time) surfaces as {@link dev.relato.StoreUnavailableException}; an append that
 * fails that way happened wholly or not at all and may be retried with the same event ids. Errors PostgreSQL
 * raises on the data (JSON it refuses, such as {@code \u0000}) surface as {@link dev.relato.InvalidEventException}.
 * Anything else (a permission refused, a missing or outdated schema, a violated constraint) surfaces at once as
 * {@link StoreFailureException} and is never retried. {@link Builder#errorClassifier} adjusts the verdict. An
 * append in the store's own transaction that loses a serialization or deadlock race runs again under
 * {@link Builder#appendRetries}; in the caller's transaction it throws {@code StoreUnavailableException}, and the
 * caller rolls back and runs the transaction again. Subscriptions survive lost connections: their reads are
 * retried with backoff.
 *
 * <p><b>Subscriptions</b> in this process are woken at once by this store's own appends. Appends by other
 * processes, other store instances and callers' transactions are found by one thread per store, which runs
 * while the store has subscriptions: it reads the head of the log every 10 ms while the log is busy (and
 * from the moment {@code append(Connection, …)} returns), backing off to the subscriptions' poll interval, or
 * at most 1 s, when it is quiet. An append commits once and sends no notification, so nothing is added to its
 * commit, and its events are visible to this process's {@code readAll} and {@code headPosition} as soon as it
 * returns (unless another writing transaction in flight holds the log back).
 *
 * <p><b>Connections.</b> Every operation borrows a connection from the data source for its duration, and so
 * does each read of the head watcher. Lock waits (an append waiting for a concurrent writer of the same stream to commit) are
 * bounded only by the server's {@code lock_timeout} and {@code statement_timeout}, if set.
 *
 * <p>Thread-safe: one instance serves a whole process. {@link #close()} stops its subscriptions and its
 * head watcher thread; the data source stays open. After {@code close()} every method but {@code close}
 * throws {@link IllegalStateException}.
 */
public final class PostgresEventStore implements EventStore, StoreCompanions, StreamOperations, PayloadReads {
    /** The store name observers are told. */
    static final String STORE = "postgres";
    private static final Duration DEFAULT_HOLDBACK_WARNING = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(PostgresEventStore.class);
    /** Attempts of an append whose event ids a concurrent append stored first: the next one answers from them. */
    private static final int ATTEMPTS = 3;
    /** Default retries of an append in the store's own transaction that lost a serialization or deadlock race. */
    public static final RetryPolicy DEFAULT_APPEND_RETRIES = new RetryPolicy(8, Duration.ofMillis(2),
            Duration.ofMillis(100), Duration.ofSeconds(5));
    /** Events one transaction can append: its positions are its id shifted left by 20 bits, plus 1 to this. */
    private static final int MAX_EVENTS_PER_TRANSACTION = (1 << 20) - 1;
    private static final String EVENT_ID_CONSTRAINT = "events_event_id_key";
    private static final String STREAM_VERSION_CONSTRAINT = "events_stream_version_key";
    private static final Instant EARLIEST_AS_OF = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST_AS_OF = Instant.parse("9999-12-31T23:59:59.999999Z");

    private final DataSource dataSource;
    private final PostgresSchema schema;
    private final Sql sql;
    private final int maxEventBytes;
    private final SubscriptionOptions subscriptionOptions;
    private final SqlErrors errors;
    private final RetryPolicy appendRetries;
    private final AppendSignal signal = new AppendSignal();
    private final Object lifecycle = new Object();
    /** Open subscriptions, and the thread that wakes them: guarded by {@link #lifecycle}. */
    private final List<PollingSubscription> subscriptions = new ArrayList<>();
    /** Wakes subscriptions for appends this store does not make itself: runs while anyone subscribes or waits. */
    private final HeadWatch headWatch;
    /** Callers waiting in {@link #awaitHead}: guarded by {@link #lifecycle}. */
    private int headWaiters;
    private final RelatoObserver observer;
    private final LogHoldbacks holdbacks;
    /** The data keys in this schema: appends write the new keys handed to them for it in their transaction. */
    private final PostgresDataKeyStore ownKeys;
    private volatile boolean closed;

    private PostgresEventStore(Builder builder) {
        this.dataSource = Objects.requireNonNull(builder.dataSource, "a data source is required: builder().dataSource(…)");
        this.schema = new PostgresSchema(builder.schema, builder.tablePrefix);
        this.sql = new Sql(schema);
        this.maxEventBytes = AppendValidation.checkMaxEventBytes(builder.maxEventBytes);
        this.subscriptionOptions = Objects.requireNonNull(builder.subscriptionOptions, "subscription options");
        this.errors = new SqlErrors(builder.errorClassifier);
        this.appendRetries = builder.appendRetries;
        this.observer = builder.observer;
        this.holdbacks = new LogHoldbacks(sql, observer, builder.holdbackWarning);
        this.ownKeys = new PostgresDataKeyStore(dataSource, schema, errors);
        registerKeyWriter(this);
        this.headWatch = new HeadWatch("relato-postgres-head-watcher-" + schema.name() + "." + schema.tablePrefix()
                + "events", this::watchHead, signal, subscriptionOptions.pollInterval(), this::watched);
    }

    /**
     * A store with the defaults (schema {@code relato}, no table prefix, 1 MiB events) on {@code dataSource}, with
     * its schema migrated: the same as {@code builder().dataSource(dataSource).schemaPolicy(SchemaPolicy.MIGRATE)
     * .build()}. The data source stays the caller's to close.
     *
     * @throws dev.relato.StoreUnavailableException if the database cannot be reached now
     * @throws StoreFailureException                if the database refuses the migration for a permanent reason
     */
    public static PostgresEventStore open(DataSource dataSource) {
        return builder().dataSource(dataSource).schemaPolicy(SchemaPolicy.MIGRATE).build();
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
        schema.migrate(dataSource, errors);
    }

    /**
     * Checks, changing nothing, that every migration is applied to this store's schema; see
     * {@link PostgresSchema#validate(DataSource)}.
     */
    public void validate() {
        schema.validate(dataSource, errors);
    }

    /** A snapshot store in this store's schema and data source, classifying errors as this store does. */
    @Override
    public PostgresSnapshotStore snapshots() {
        return new PostgresSnapshotStore(dataSource, schema, errors);
    }

    /** The wrapped data keys of personal data, in this schema; for a {@link dev.relato.privacy.PersonalDataStore}. */
    public PostgresDataKeyStore dataKeys() {
        return new PostgresDataKeyStore(dataSource, schema, errors);
    }

    /** A checkpoint store in this store's schema and data source, classifying errors as this store does. */
    @Override
    public PostgresCheckpointStore checkpoints() {
        return new PostgresCheckpointStore(dataSource, schema, errors);
    }

    /** The deadline store of process managers in this store's schema and data source. */
    public PostgresDeadlineStore deadlines() {
        return new PostgresDeadlineStore(dataSource, schema, errors);
    }

    /** A dead-letter store in this store's schema and data source, classifying errors as this store does. */
    @Override
    public PostgresDeadLetterStore deadLetters() {
        return new PostgresDeadLetterStore(dataSource, schema, errors);
    }

    /**
     * Projection leases for node {@code nodeId} in this store's schema and data source, classifying errors as
     * this store does.
     *
     * @see PostgresProjectionLeases#PostgresProjectionLeases(DataSource, PostgresSchema, String)
     */
    @Override
    public PostgresProjectionLeases leases(String nodeId) {
        return new PostgresProjectionLeases(dataSource, schema, nodeId, errors);
    }

    /**
     * This store running {@code projections} inline with every append made through the returned store, in the
     * append's transaction on this store's data source; see {@link PostgresProjectingEventStore}. Closing either
     * closes this store.
     *
     * @throws IllegalArgumentException if two projections share a name or one handles a class the serializer does
     *                                  not know
     */
    public PostgresProjectingEventStore projecting(EventSerializer serializer,
                                                   List<Projection<Connection>> projections) {
        return PostgresProjectingEventStore.of(this, dataSource, serializer, projections);
    }

    /** Projection transactions in this store's schema and data source, classifying errors as this store does. */
    public PostgresProjectionTransactions projectionTransactions() {
        return new PostgresProjectionTransactions(dataSource, schema, Optional.empty(), errors);
    }

    /** How this store translates PostgreSQL's errors. */
    SqlErrors errors() {
        return errors;
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

    /**
     * The transaction in flight, if any, that holds readers of the global log back now: events committed after it
     * began wait, unseen by {@code readAll}, subscriptions and projections, until it ends. Reported to the observer
     * ({@link RelatoObserver#readersHeldBack}) when found. One short read-only round trip.
     *
     * @throws dev.relato.StoreUnavailableException if the database cannot be reached
     */
    public Optional<LogHoldback> logHoldback() {
        ensureOpen();
        return Sessions.call(dataSource, errors, () -> "looking for a transaction holding the log back",
                holdbacks::find);
    }

    /**
     * The store's health: up with the head position after one round trip; down if the database cannot be reached,
     * or if a transaction has held readers of the global log back for longer than {@code threshold}, naming it
     * ({@link LogHoldback}, also warned about once per blocking transaction). Never throws for a failed check.
     */
    public Health health(Duration threshold) {
        Objects.requireNonNull(threshold, "threshold must not be null");
        try {
            ensureOpen();
            return Sessions.call(dataSource, errors, () -> "checking the store's health",
                    c -> holdbacks.health(c, headPosition(c), threshold));
        } catch (RuntimeException e) {
            return new Health("store", false, e.toString());
        }
    }

    /** Declares that appends through {@code appender} write the new data keys handed to them for this schema. */
    void registerKeyWriter(EventStore appender) {
        AppendedDataKeys.register(appender, ownKeys::sameTable);
    }

    private AppendResult appendNow(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        ensureOpen();
        AppendValidation.validate(stream, expected, events, maxEventBytes);
        List<WrappedKey> keys = AppendedDataKeys.take(ownKeys::sameTable);
        RetryState retries = appendRetries();
        boolean lookUpIds = false;
        for (int attempt = 1; ; attempt++) {
            SQLException failure;
            boolean lookUp = lookUpIds;
            // The connection goes back to the pool before anything else is done about a failure.
            try (Connection c = dataSource.getConnection()) {
                boolean single = !lookUp && insertable(expected, events);
                Sessions.Work<AppendResult> append = connection -> single
                        ? insertOrAppend(connection, stream, expected, events, false, keys)
                        : doAppend(connection, stream, expected, events, lookUp);
                // the single insert stores the keys itself, in its own statement
                AppendResult result = keys.isEmpty() || single ? Sessions.autoCommitted(c, append)
                        : committedWithKeys(c, keys, append);
                if (!result.retried()) {
                    signal.fire();
                }
                return result;
            } catch (SQLException e) {
                failure = e;
            }
            // An id of this append is stored already (an idempotent retry, a duplicate, or two writers that raced
            // with the same ids), or the next version is: a conflict, or a retry at the same place. The failed
            // attempt wrote nothing; the next one looks the ids up first and answers from what is stored.
            if ((SqlErrors.isUniqueViolation(failure, schema.tablePrefix() + EVENT_ID_CONSTRAINT)
                    || SqlErrors.isUniqueViolation(failure, schema.tablePrefix() + STREAM_VERSION_CONSTRAINT))
                    && attempt < ATTEMPTS) {
                LOG.debug("append to '{}' found its version or an event id stored already; looking the ids up",
                        stream);
                lookUpIds = true;
                continue;
            }
            if (!retryAfter(failure, retries)) {
                throw appendFailure(failure, stream, expected, events, false);
            }
            LOG.debug("append to '{}' lost a serialization race ({}); trying again", stream, failure.getSQLState());
        }
    }

    /**
     * Whether a transaction of the store's own that failed with {@code e} is to run again: a serialization
     * failure or deadlock, transient for the error classifier, within the append retry policy. Waits the
     * policy's backoff first.
     */
    boolean retryAfter(SQLException e, RetryState retries) {
        if (!SqlErrors.isSerializationFailure(e) || !errors.isTransient(e)) {
            return false;
        }
        Optional<Duration> backoff = retries.failed();
        if (backoff.isEmpty()) {
            return false;
        }
        try {
            Thread.sleep(backoff.get().toMillis(), backoff.get().toNanosPart() % 1_000_000);
            return true;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs {@code append} and stores the data keys its events are the first to use, in one transaction of their
     * own: one commit, and neither stays if either fails.
     */
    private AppendResult committedWithKeys(Connection c, List<WrappedKey> keys, Sessions.Work<AppendResult> append)
            throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            AppendResult result = append.run(c);
            ownKeys.insert(c, keys);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            Sessions.rollback(c, e);
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** A fresh run of retries under this store's append retry policy. */
    RetryState appendRetries() {
        return new RetryState(appendRetries);
    }

    /**
     * Appends within the caller's transaction: the events become visible when the caller commits and vanish
     * if it rolls back. The connection is used as is (never committed, rolled back or closed here). A refused
     * append ({@link WrongExpectedVersionException}, or {@link DuplicateEventException} for an id stored before
     * the append ran or by a transaction that committed while it ran) leaves the transaction usable, with nothing
     * of the append in it; any other exception means PostgreSQL aborted the transaction.
     *
     * @param tx a connection of the same database with auto-commit off (or on, for a one-statement transaction)
     * @see #append(StreamId, ExpectedVersion, List)
     */
    public AppendResult append(Connection tx, StreamId stream, ExpectedVersion expected, List<EventData> events) {
        Objects.requireNonNull(tx, "connection must not be null");
        ensureOpen();
        AppendValidation.validate(stream, expected, events, maxEventBytes);
        List<WrappedKey> keys = AppendedDataKeys.take(ownKeys::sameTable);
        try {
            boolean autoCommit = tx.getAutoCommit();
            if (!keys.isEmpty() && autoCommit) {
                // each statement commits on its own: the keys first, so that the events never stand without them
                ownKeys.insert(tx, keys);
            }
            // A stored id or a taken version must not abort the caller's transaction: the insert skips it, and the
            // append function, which looks the ids up first, answers. Under auto-commit a batch the insert stored
            // in part would be committed before it could be removed: the function appends it.
            AppendResult result = insertable(expected, events) && (events.size() == 1 || !autoCommit)
                    ? insertOrAppend(tx, stream, expected, events, true, List.of())
                    : doAppend(tx, stream, expected, events, true);
            if (!keys.isEmpty() && !autoCommit) {
                // after the events, so that a refused append leaves no key in the caller's transaction either
                ownKeys.insert(tx, keys);
            }
            if (!result.retried()) {
                headWatch.hurry(); // the caller's transaction will commit soon: look for it promptly
            }
            return result;
        } catch (SQLException e) {
            throw appendFailure(e, stream, expected, events, true);
        }
    }

    /** An append through a transaction of this process committed: wakes this store's subscriptions at once. */
    void committed() {
        signal.fire();
    }

    /**
     * The exception for an append PostgreSQL refused with an error. Reads nothing: in the caller's transaction
     * the caller's connection is still held, and borrowing a second one could wait for ever on a small pool.
     */
    private RuntimeException appendFailure(SQLException e, StreamId stream, ExpectedVersion expected,
                                           List<EventData> events, boolean callersTransaction) {
        String consequence = callersTransaction ? "; the caller's transaction is aborted" : "";
        if (SqlErrors.isTombstoned(e)) {
            return new StreamDeletedException(stream);
        }
        if (SqlErrors.isUniqueViolation(e, schema.tablePrefix() + EVENT_ID_CONSTRAINT)) {
            UUID id = SqlErrors.conflictingId(e).orElse(events.get(0).eventId());
            return new DuplicateEventException(stream, id, "by a concurrent transaction that committed while"
                    + " this append was running" + consequence);
        }
        if (SqlErrors.isUniqueViolation(e, schema.tablePrefix() + STREAM_VERSION_CONSTRAINT)) {
            // The append function answers a taken version as a conflict once it looks the ids up, which the last
            // attempt does: the version was taken while that attempt ran without catching it.
            return new StoreFailureException("appending to stream '" + stream + "' (expected version " + expected
                    + ") failed: a concurrent append took its next version" + consequence + " (" + e.getMessage()
                    + ")", e);
        }
        String what = "appending to stream '" + stream + "'";
        if (callersTransaction && SqlErrors.isSerializationFailure(e)) {
            return errors.translate(e, what + " in the caller's transaction (expected version " + expected
                    + "); roll back the transaction and retry it");
        }
        return errors.translate(e, what);
    }

    /** Whether an append can be the single insert of {@link Sql#insertEvents}. */
    private static boolean insertable(ExpectedVersion expected, List<EventData> events) {
        return (expected instanceof ExpectedVersion.Exactly || expected instanceof ExpectedVersion.NoStream)
                && events.size() < MAX_EVENTS_PER_TRANSACTION;
    }

    /**
     * An append with an exact (or no-stream) expectation as one insert; if its expectation does not hold, the
     * append function answers (a conflict, or the stored events of a retry). In the store's own transaction a
     * unique violation is thrown. In the caller's transaction the insert skips a row whose version or event id is
     * taken instead: the rows it did insert are removed again (in the same transaction, which stays usable), and
     * the append function, looking the ids up, answers. In the store's own transaction, {@code keys} (new data keys
     * the events are the first to use) are stored by the same statement, or with the append function's append.
     */
    private AppendResult insertOrAppend(Connection c, StreamId stream, ExpectedVersion expected,
                                        List<EventData> events, boolean callersTransaction, List<WrappedKey> keys)
            throws SQLException {
        int n = events.size();
        long expectedVersion = expectedCode(expected);
        List<Long> positions = new ArrayList<>(n);
        OffsetDateTime recordedAt = null;
        boolean single = n == 1 && keys.isEmpty();
        String statement = single ? (callersTransaction ? sql.insertEventInCallersTransaction : sql.insertEvent)
                : callersTransaction ? sql.insertEventsInCallersTransaction
                : keys.isEmpty() ? sql.insertEvents : sql.insertEventsWithKeys;
        try (PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setString(1, stream.category());
            ps.setString(2, stream.id());
            ps.setLong(3, expectedVersion);
            int p;
            if (single) {
                bindEvent(ps, 4, events.get(0));
                p = 10;
            } else {
                ps.setInt(4, n);
                bindEvents(c, ps, 5, events);
                p = 11;
            }
            ps.setLong(p, expectedVersion);
            ps.setString(p + 1, stream.category());
            ps.setString(p + 2, stream.id());
            ps.setLong(p + 3, expectedVersion);
            ps.setLong(p + 4, expectedVersion);
            if (!single && callersTransaction) {
                ps.setInt(p + 5, n);
            } else if (!keys.isEmpty()) {
                PostgresDataKeyStore.bind(c, ps, p + 5, keys);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    positions.add(rs.getLong(1));
                    recordedAt = rs.getObject(2, OffsetDateTime.class);
                }
            }
        }
        if (positions.size() == n) {
            return AppendResult.of(recorded(stream, events, expectedVersion + n, Collections.max(positions),
                    recordedAt.toInstant()), false);
        }
        if (!positions.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(sql.deleteEvents)) {
                ps.setArray(1, c.createArrayOf("int8", positions.toArray()));
                ps.executeUpdate();
            }
        }
        if (!keys.isEmpty()) {
            return committedWithKeys(c, keys, connection -> doAppend(connection, stream, expected, events, true));
        }
        return doAppend(c, stream, expected, events, true);
    }

    /**
     * Binds an event's id, type, schema version, payload, metadata and occurrence time as six values, from parameter
     * {@code first} on.
     */
    private static void bindEvent(PreparedStatement ps, int first, EventData event) throws SQLException {
        ps.setObject(first, event.eventId());
        ps.setString(first + 1, event.type());
        ps.setInt(first + 2, event.schemaVersion());
        ps.setString(first + 3, event.payload());
        ps.setString(first + 4, Json.writeMetadata(event.metadata()));
        ps.setObject(first + 5, occurredAt(event), Types.TIMESTAMP_WITH_TIMEZONE);
    }

    /** An event's occurrence time as the driver binds it, or null. */
    private static OffsetDateTime occurredAt(EventData event) {
        return event.occurredAt().map(t -> OffsetDateTime.ofInstant(t, ZoneOffset.UTC)).orElse(null);
    }

    /**
     * Binds the events' ids, types, schema versions, payloads, metadata and occurrence times as six arrays, from
     * parameter {@code first} on.
     */
    private static void bindEvents(Connection c, PreparedStatement ps, int first, List<EventData> events)
            throws SQLException {
        int n = events.size();
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        Integer[] schemaVersions = new Integer[n];
        String[] payloads = new String[n];
        String[] metadata = new String[n];
        OffsetDateTime[] occurredAt = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            EventData e = events.get(i);
            ids[i] = e.eventId();
            types[i] = e.type();
            schemaVersions[i] = e.schemaVersion();
            payloads[i] = e.payload();
            metadata[i] = Json.writeMetadata(e.metadata());
            occurredAt[i] = occurredAt(e);
        }
        ps.setArray(first, c.createArrayOf("uuid", ids));
        ps.setArray(first + 1, c.createArrayOf("text", types));
        ps.setArray(first + 2, c.createArrayOf("int4", schemaVersions));
        ps.setArray(first + 3, c.createArrayOf("text", payloads));
        ps.setArray(first + 4, c.createArrayOf("text", metadata));
        ps.setArray(first + 5, c.createArrayOf("timestamptz", occurredAt));
    }

    /**
     * One call of the append function.
     *
     * @param lookUpIds whether the function looks the event ids up before writing (and answers from stored ones);
     *                  without, a stored id fails the statement on the unique event id, which aborts the transaction
     */
    private AppendResult doAppend(Connection c, StreamId stream, ExpectedVersion expected, List<EventData> events,
                                  boolean lookUpIds) throws SQLException {
        int n = events.size();
        Map<UUID, Stored> stored = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql.append)) {
            ps.setString(1, stream.category());
            ps.setString(2, stream.id());
            ps.setLong(3, expectedCode(expected));
            bindEvents(c, ps, 4, events);
            ps.setBoolean(10, lookUpIds);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    switch (rs.getString(1)) {
                        case "appended" -> {
                            return AppendResult.of(recorded(stream, events, rs.getLong(2), rs.getLong(3),
                                    rs.getObject(9, OffsetDateTime.class).toInstant()), false);
                        }
                        case "conflict" -> throw conflict(c, stream, expected, rs.getLong(2));
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

    /** The events of an append as recorded, from the last version and position the append function returned. */
    private static List<RecordedEvent> recorded(StreamId stream, List<EventData> events, long lastVersion,
                                                long lastPosition, Instant recordedAt) {
        int n = events.size();
        List<RecordedEvent> recorded = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            recorded.add(RecordedEvent.of(events.get(i), stream, lastVersion - n + 1 + i, lastPosition - n + 1 + i,
                    recordedAt));
        }
        return recorded;
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
        return streamRead(stream, read, c -> doRead(c, stream, read));
    }

    /** Runs a read of part of a stream on its own connection, observed as a load. */
    private <T> List<T> streamRead(StreamId stream, StreamRead read, Sessions.Work<List<T>> work) {
        ensureOpen();
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(read, "read");
        return Observed.read(observer, STORE, stream, () -> Sessions.call(dataSource, errors,
                () -> "reading stream '" + stream + "'", work));
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
            throw errors.translate(e, "reading stream '" + stream + "'");
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
        try (PreparedStatement ps = c.prepareStatement(sql.readStream(read.direction(), read.asOf().isPresent()))) {
            bindStreamRead(ps, stream, read);
            return events(ps);
        }
    }

    /**
     * The events {@link #read(StreamId, StreamRead)} returns, with only the columns a fold needs selected and
     * converted.
     */
    @Override
    public List<StoredPayload> readPayloads(StreamId stream, StreamRead read) {
        return streamRead(stream, read, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.readStreamPayloads(read.direction(),
                    read.asOf().isPresent()))) {
                bindStreamRead(ps, stream, read);
                List<StoredPayload> events = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.add(new StoredPayload(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3),
                                rs.getInt(4), rs.getString(5)));
                    }
                }
                return events;
            }
        });
    }

    /** Binds the parameters of {@link Sql#readStream} (and {@link Sql#readStreamPayloads}). */
    private static void bindStreamRead(PreparedStatement ps, StreamId stream, StreamRead read) throws SQLException {
        int i = 1;
        ps.setString(i++, stream.category());
        ps.setString(i++, stream.id());
        ps.setLong(i++, read.lowestVersion());
        ps.setLong(i++, read.highestVersion());
        if (read.asOf().isPresent()) {
            ps.setString(i++, stream.category());
            ps.setString(i++, stream.id());
            ps.setObject(i++, OffsetDateTime.ofInstant(asOfBound(read.asOf().get()), ZoneOffset.UTC));
        }
        ps.setInt(i, read.limit());
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
        return Sessions.call(dataSource, errors, () -> "reading the log after position " + afterPosition,
                c -> readPage(c, afterPosition, filter, max));
    }

    /** {@link #readPage(long, EventFilter, int)} on the given connection, in whatever transaction it is in. */
    List<RecordedEvent> readPage(Connection c, long afterPosition, EventFilter filter, int max) throws SQLException {
        boolean byCategory = !filter.categories().isEmpty();
        boolean byType = !filter.types().isEmpty();
        boolean notices = filter.streamNotices();
        try (PreparedStatement ps = c.prepareStatement(notices ? sql.readPageWithNotices(byCategory, byType)
                : sql.readPage(byCategory, byType))) {
            int i = 1;
            ps.setLong(i++, afterPosition);
            if (byCategory) {
                ps.setArray(i++, c.createArrayOf("text", filter.categories().toArray()));
            }
            if (byType) {
                ps.setArray(i++, c.createArrayOf("text", filter.types().toArray()));
            }
            ps.setInt(i++, max);
            if (notices) {
                ps.setLong(i++, afterPosition);
                if (byCategory) {
                    ps.setArray(i++, c.createArrayOf("text", filter.categories().toArray()));
                }
                ps.setInt(i++, max);
                ps.setInt(i, max);
            }
            return events(ps);
        }
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
            subscriptions.removeIf(s -> !s.isRunning()); // ended by their owners or their listeners
            PollingSubscription subscription = PollingSubscription.start(logReader(), afterPosition, filter, listener,
                    signal, subscriptionOptions);
            subscriptions.add(subscription);
            headWatch.ensureRunning();
            return subscription;
        }
    }

    /** Whether the head is to be watched: while this store is open and has running subscriptions or callers
     * waiting in {@link #awaitHead}. */
    private boolean watched() {
        synchronized (lifecycle) {
            subscriptions.removeIf(s -> !s.isRunning());
            return !closed && (!subscriptions.isEmpty() || headWaiters > 0);
        }
    }

    /** A refused append: a tombstoned stream (which has no events) refuses for that reason. */
    private RuntimeException conflict(Connection c, StreamId stream, ExpectedVersion expected, long actual)
            throws SQLException {
        if (actual == 0) {
            try (PreparedStatement ps = c.prepareStatement(sql.isTombstoned)) {
                ps.setString(1, stream.category());
                ps.setString(2, stream.id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new StreamDeletedException(stream);
                    }
                }
            }
        }
        return new WrongExpectedVersionException(stream, expected, actual);
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
        ensureOpen();
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(expected, "expected");
        return Sessions.call(dataSource, errors, () -> (tombstone ? "tombstoning" : "deleting") + " stream '" + stream
                + "'", c -> delete(c, stream, expected, tombstone));
    }

    /**
     * Deletes a stream on the connection, in whatever transaction it is in, writing the notice of the removal (see
     * {@link #noticesOfTransaction}); used by the projecting store.
     */
    long delete(Connection c, StreamId stream, ExpectedVersion expected, boolean tombstone) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.deleteStream)) {
            ps.setString(1, stream.category());
            ps.setString(2, stream.id());
            ps.setString(3, (tombstone ? StreamNotice.Kind.TOMBSTONED : StreamNotice.Kind.DELETED).type());
            ps.setString(4, stream.category());
            ps.setString(5, stream.id());
            ps.setLong(6, expectedCode(expected));
            ps.setBoolean(7, tombstone);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getString(1).equals("conflict")) {
                    throw new WrongExpectedVersionException(stream, expected, rs.getLong(2));
                }
                return rs.getLong(3);
            }
        }
    }

    /** The records of the notices the connection's transaction wrote, by position. */
    List<RecordedEvent> noticesOfTransaction(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.noticesOfTransaction)) {
            return events(ps);
        }
    }

    /** Keeps the stream's snapshot. */
    @Override
    public long truncateBefore(StreamId stream, long version) {
        ensureOpen();
        AppendValidation.checkTruncate(stream, version);
        return Sessions.call(dataSource, errors, () -> "truncating stream '" + stream + "'",
                c -> truncate(c, stream, version));
    }

    /** Truncates a stream on the connection, in whatever transaction it is in; used by the projecting store. */
    long truncate(Connection c, StreamId stream, long version) throws SQLException {
        AppendValidation.checkTruncate(stream, version);
        try (PreparedStatement ps = c.prepareStatement(sql.truncateStream)) {
            ps.setString(1, stream.category());
            ps.setString(2, stream.id());
            ps.setString(3, StreamNotice.Kind.TRUNCATED.type());
            ps.setLong(4, version);
            ps.setString(5, stream.category());
            ps.setString(6, stream.id());
            ps.setString(7, stream.category());
            ps.setString(8, stream.id());
            ps.setLong(9, version);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public boolean isTombstoned(StreamId stream) {
        ensureOpen();
        Objects.requireNonNull(stream, "stream");
        return Sessions.call(dataSource, errors, () -> "reading the tombstone of stream '" + stream + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.isTombstoned)) {
                ps.setString(1, stream.category());
                ps.setString(2, stream.id());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public long streamVersion(StreamId stream) {
        ensureOpen();
        Objects.requireNonNull(stream, "stream");
        return Sessions.call(dataSource, errors, () -> "reading the version of stream '" + stream + "'",
                c -> streamVersion(c, stream));
    }

    /** The stream's version as the given connection's transaction sees it. */
    long streamVersion(Connection c, StreamId stream) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.streamVersion)) {
            ps.setString(1, stream.category());
            ps.setString(2, stream.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }
    }

    /** The largest event (payload plus metadata, in UTF-8 bytes) this store accepts. */
    @Override
    public int maxEventBytes() {
        return maxEventBytes;
    }

    @Override
    public long headPosition() {
        ensureOpen();
        return readHead();
    }

    private long readHead() {
        return Sessions.call(dataSource, errors, () -> "reading the head position", this::headPosition);
    }

    /** The head watcher's read: the head position, and now and then a look for a transaction holding it back. */
    private long watchHead() {
        return Sessions.call(dataSource, errors, () -> "reading the head position", c -> {
            long head = headPosition(c);
            holdbacks.watch(c, head);
            return head;
        });
    }

    /** The head position readers can see, read on the given connection. */
    long headPosition(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.headPosition); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Woken at once by this store's own appends; appends by other processes are seen by the head watcher, which
     * runs while anyone waits here or subscribes.
     */
    @Override
    public long awaitHead(long afterPosition, Duration timeout) throws InterruptedException {
        synchronized (lifecycle) {
            ensureOpen();
            headWaiters++;
            headWatch.ensureRunning();
        }
        try {
            return signal.awaitHead(afterPosition, timeout, subscriptionOptions.pollInterval(), this::headPosition);
        } finally {
            synchronized (lifecycle) {
                headWaiters--;
            }
        }
    }

    /**
     * This store as seen from inside the caller's transaction on {@code connection}: reads and appends run on that
     * connection and see its uncommitted appends in stream reads and versions; the global log and the head show
     * what every reader can see, so they leave out the transaction's own appends until it commits. The view never
     * commits, rolls back or closes the connection, and cannot subscribe. Give it to a repository's
     * {@code using(…)} to load, decide and append in the caller's transaction:
     *
     * <pre>{@code
     * try (Connection tx = pool.getConnection()) {
     *     tx.setAutoCommit(false);
     *     orders.using(store.boundTo(tx)).handle("o-1", new ConfirmOrder("o-1"));
     *     updateMyOwnTable(tx);
     *     tx.commit();
     * }
     * }</pre>
     *
     * Not thread-safe, like the connection: use it on the transaction's thread.
     */
    public EventStore boundTo(Connection connection) {
        return new PostgresBoundStore(this, connection, this::append);
    }

    /** Stops every subscription and the head watcher thread. The data source is left open. Idempotent. */
    @Override
    public void close() {
        List<PollingSubscription> open;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(subscriptions);
            subscriptions.clear();
        }
        open.forEach(PollingSubscription::close);
        headWatch.close();
        signal.fire(); // wakes callers waiting in awaitHead, which then find the store closed
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this PostgreSQL event store (schema '" + schema.name() + "') is closed");
        }
    }

    private static List<RecordedEvent> events(PreparedStatement ps) throws SQLException {
        List<RecordedEvent> events = new ArrayList<>();
        StreamId stream = null;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Instant recordedAt = Columns.instant(rs, 10);
                Instant occurredAt = Columns.instant(rs, 11);
                UUID eventId = Columns.uuid(rs, 5);
                stream = sameOrNew(stream, rs.getString(2), rs.getString(3));
                if (eventId == null) { // a notice of a removed stream: see Sql#readPageWithNotices
                    events.add(new StreamNotice(stream, StreamNotice.Kind.ofType(rs.getString(6)).orElseThrow(),
                            rs.getLong(4), rs.getLong(1), recordedAt).toRecord());
                    continue;
                }
                events.add(new RecordedEvent(eventId, stream, rs.getLong(4), rs.getLong(1), rs.getString(6),
                        rs.getInt(7), rs.getString(8), Json.readMetadata(rs.getString(9)), recordedAt,
                        occurredAt == null ? recordedAt : occurredAt));
            }
        }
        return events;
    }

    /** {@code previous} if it is the stream named (the rows of one append are neighbours), else a new stream id. */
    private static StreamId sameOrNew(StreamId previous, String category, String id) {
        return previous != null && previous.id().equals(id) && previous.category().equals(category) ? previous
                : new StreamId(category, id);
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
        private ErrorClassifier errorClassifier = ErrorClassifier.storeDefault();
        private RetryPolicy appendRetries = DEFAULT_APPEND_RETRIES;
        private SchemaPolicy schemaPolicy = SchemaPolicy.EXTERNAL;
        private RelatoObserver observer = RelatoObserver.none();
        private Duration holdbackWarning = DEFAULT_HOLDBACK_WARNING;

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
         * Adjusts which PostgreSQL errors are transient ({@link dev.relato.StoreUnavailableException}) and which
         * permanent ({@link dev.relato.StoreFailureException}), for this store and every store it makes
         * ({@link PostgresEventStore#snapshots()}, {@link PostgresEventStore#checkpoints()},
         * {@link PostgresEventStore#deadLetters()}, {@link PostgresEventStore#leases(String)},
         * {@link PostgresEventStore#projectionTransactions()}) and its migrations. The classifier sees the
         * driver's {@link SQLException} with the verdict of the store's allow-list. Default: that verdict.
         */
        public Builder errorClassifier(ErrorClassifier classifier) {
            this.errorClassifier = Objects.requireNonNull(classifier, "error classifier must not be null");
            return this;
        }

        /**
         * How often and how long an append in the store's own transaction is run again after PostgreSQL
         * refused it as a serialization failure or deadlock (SQLState 40001 or 40P01). Default
         * {@link #DEFAULT_APPEND_RETRIES}: up to 8 attempts, 2 to 100 ms apart with jitter, within 5 s;
         * {@link RetryPolicy#none()} never retries.
         */
        public Builder appendRetries(RetryPolicy policy) {
            this.appendRetries = Objects.requireNonNull(policy, "append retry policy must not be null");
            return this;
        }

        /**
         * What {@link #build()} does with the store's tables: {@link SchemaPolicy#MIGRATE} applies the missing
         * migrations ({@link PostgresEventStore#migrate()}); {@link SchemaPolicy#VALIDATE} only checks that they are
         * all applied ({@link PostgresEventStore#validate()}); {@link SchemaPolicy#EXTERNAL}, the default, does not
         * touch the database, and the schema is migrated by calling {@code migrate()} or by a tool that runs
         * {@link PostgresSchema#sql()}.
         */
        public Builder schemaPolicy(SchemaPolicy policy) {
            this.schemaPolicy = Objects.requireNonNull(policy, "schema policy must not be null");
            return this;
        }

        /**
         * The observer told about appends and stream loads (as store {@code "postgres"}) and about how long readers
         * are held back by a transaction in flight ({@link RelatoObserver#readersHeldBack}): about once a second
         * while the store's subscriptions (and the projection runners on them) poll, and whenever
         * {@link #logHoldback()} or {@link #health(Duration)} finds one. Handed to the repositories and projection
         * runners built on the store. Default {@link RelatoObserver#none()}.
         */
        public Builder observer(RelatoObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer must not be null");
            return this;
        }

        /**
         * How long a transaction in flight may hold readers of the global log back, while the store's subscriptions
         * poll, before one warning names it ({@link LogHoldback}: pid, application, transaction age, query); one
         * warning per blocking transaction. Default 30 seconds.
         *
         * @throws IllegalArgumentException if {@code threshold} is negative
         */
        public Builder holdbackWarning(Duration threshold) {
            Objects.requireNonNull(threshold, "threshold must not be null");
            if (threshold.isNegative()) {
                throw new IllegalArgumentException("the hold-back warning threshold must not be negative: " + threshold);
            }
            this.holdbackWarning = threshold;
            return this;
        }

        /**
         * Builds the store, then migrates or validates its schema if {@link #schemaPolicy} says so.
         *
         * @throws IllegalArgumentException  if the schema name, table prefix or size limit is invalid
         * @throws NullPointerException      if no data source was given
         * @throws StoreFailureException     if the schema policy is {@code VALIDATE} and a migration is missing, or
         *                                   the migration fails for a permanent reason
         * @throws dev.relato.StoreUnavailableException if the policy needs the database and it cannot be reached
         */
        public PostgresEventStore build() {
            PostgresEventStore store = new PostgresEventStore(this);
            switch (schemaPolicy) {
                case MIGRATE -> store.migrate();
                case VALIDATE -> store.validate();
                case EXTERNAL -> LOG.debug("PostgreSQL event store in {}: schema left to an external tool",
                        store.schema);
            }
            return store;
        }
    }
}
