package dev.relato.postgres;

import dev.relato.Direction;
import java.util.ArrayList;
import java.util.List;

/**
 * Every SQL statement of the PostgreSQL backend (besides the migration scripts), rendered once for one
 * schema and table prefix. Identifiers come from a validated {@link PostgresSchema}; values are always bound
 * parameters. Immutable and thread-safe.
 */
final class Sql {
    /**
     * Everything below this position is final. Positions of a transaction lie in
     * {@code [xid << 20, (xid + 1) << 20)} (see the append function in V1__events.sql), and every transaction
     * that can still commit has an id at or above the lowest id in flight when the statement's snapshot was
     * taken. Transactions of other databases cannot write these tables, so in-flight ids that
     * {@code pg_stat_activity} shows in another database do not count; ids it cannot place (finished since,
     * prepared, or hidden for lack of privileges) do. The reader's own transaction, if it has an id, counts too.
     * Ids are compared as bigint: PostgreSQL 14 has no min() for xid8.
     */
    private static final String VISIBLE_BOUND = "((SELECT least("
            + "(SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x WHERE NOT EXISTS ("
            + "SELECT 1 FROM pg_stat_activity a"
            + " WHERE a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())"
            + " AND a.backend_xid::text::bigint = (x::text::bigint & 4294967295))),"
            + " pg_snapshot_xmax(pg_current_snapshot())::text::bigint,"
            + " pg_current_xact_id_if_assigned()::text::bigint)) << 20)";
    private static final String EVENT_COLUMNS = "position, category, stream_id, stream_version, event_id, type,"
            + " schema_version, payload::text, metadata::text, recorded_at, occurred_at";

    // migrations
    final String migrationLock = "SELECT pg_advisory_xact_lock(?, hashtext(?))";
    final String createSchema;
    final String createHistory;
    final String selectHistory;
    final String insertHistory;
    /** Parameter: a qualified table name. */
    final String tableExists = "SELECT to_regclass(?) IS NOT NULL";
    private final String history;

    // events
    final String append;
    /** The single-statement append of one event with an exact (or no-stream) expectation: see {@link #insertEvents}. */
    final String insertEvent;
    /** The same append in the caller's transaction: see {@link #insertEvents}. */
    final String insertEventInCallersTransaction;
    /** The single-statement append of a batch with an exact (or no-stream) expectation: see {@link #insertEvents}. */
    final String insertEvents;
    /**
     * {@link #insertEvents} that also stores data keys, in the same statement and only if the events were inserted.
     * Parameters: those of {@link #insertEvents}, then the keys' ids, subjects, wrapped bytes and creation times
     * (arrays).
     */
    final String insertEventsWithKeys;
    /** The same append in the caller's transaction: see {@link #insertEvents}. */
    final String insertEventsInCallersTransaction;
    /** Removes events this transaction inserted, by position. Parameter: the positions (bigint array). */
    final String deleteEvents;
    final String streamVersion;
    final String headPosition;
    final String deleteStream;
    final String truncateStream;
    final String isTombstoned;
    /** The oldest transaction in flight in this database below which committed events wait: see {@link LogHoldback}. */
    final String logHoldback;
    /** Indexed by (byCategory ? 2 : 0) + (byType ? 1 : 0). */
    private final String[] readPage = new String[4];
    /** As {@link #readPage}, with the notices of removed streams merged in. */
    private final String[] readPageWithNotices = new String[4];
    /** The notices this transaction wrote, by position. */
    final String noticesOfTransaction;
    /** Indexed by (backwards ? 2 : 0) + (asOf ? 1 : 0). */
    private final String[] readStream = new String[4];
    /** As {@link #readStream}, selecting stream version, event id, type, schema version and payload only. */
    private final String[] readStreamPayloads = new String[4];

    // snapshots
    final String loadSnapshot;
    final String saveSnapshot;
    final String deleteSnapshot;

    // checkpoints
    final String loadCheckpoint;
    final String scheduleDeadline;
    final String cancelDeadline;
    final String findDeadline;
    final String dueDeadlines;
    final String removeDeadline;
    final String saveCheckpoint;
    final String deleteCheckpoint;
    final String loadAllCheckpoints;
    final String pause;
    final String resume;
    final String isPaused;
    final String loadPaused;

    // projections: checkpoint fencing, dead letters, leases
    final String lockCheckpoint;
    final String holdLease;
    final String acquireLease;
    final String releaseLease;
    final String leaseOwner;
    final String addDeadLetter;
    final String listDeadLetters;
    final String findDeadLetter;
    final String removeDeadLetter;
    final String requestReplay;
    final String replayRequests;

    Sql(PostgresSchema schema) {
        String history = schema.table("schema_history");
        createSchema = "CREATE SCHEMA IF NOT EXISTS " + schema.quotedName();
        createHistory = "CREATE TABLE IF NOT EXISTS " + history + " (version integer PRIMARY KEY,"
                + " script text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())";
        selectHistory = "SELECT version, checksum FROM " + history;
        insertHistory = "INSERT INTO " + history + " (version, script, checksum) VALUES (?, ?, ?)";
        this.history = history;

        String events = schema.table("events");
        append = "SELECT outcome, version, pos, event_id, category, stream_id, append_index, append_size, recorded_at"
                + " FROM " + schema.table("append") + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        // A removal and its notice in one statement: the notice only if events were removed.
        String addNotice = schema.table("add_stream_notice");
        deleteStream = "SELECT d.outcome, d.version, d.removed, CASE WHEN d.removed > 0 THEN " + addNotice
                + "(?, ?, ?, 0) END FROM " + schema.table("delete_stream") + "(?, ?, ?, ?) d";
        truncateStream = "SELECT t.removed, CASE WHEN t.removed > 0 THEN " + addNotice + "(?, ?, ?, least(?, "
                + "(SELECT max(e.stream_version) FROM " + events + " e WHERE e.category = ? AND e.stream_id = ?))) END"
                + " FROM " + schema.table("truncate_stream") + "(?, ?, ?) AS t(removed)";
        isTombstoned = "SELECT 1 FROM " + schema.table("stream_tombstones") + " WHERE category = ? AND stream_id = ?";
        insertEvent = insertEvents(events, false, true);
        insertEventInCallersTransaction = insertEvents(events, true, true);
        insertEvents = insertEvents(events, false, false);
        insertEventsInCallersTransaction = insertEvents(events, true, false);
        insertEventsWithKeys = "WITH e AS (" + insertEvents + "), k AS (INSERT INTO " + schema.table("data_keys")
                + " (key_id, subject, wrapped, created_at) SELECT * FROM unnest(?::uuid[], ?::text[], ?::bytea[],"
                + " ?::timestamptz[]) WHERE EXISTS (SELECT 1 FROM e) ON CONFLICT (key_id) DO NOTHING)"
                + " SELECT position, recorded_at FROM e";
        deleteEvents = "DELETE FROM " + events + " WHERE position = ANY (?::bigint[])";
        streamVersion = "SELECT max(stream_version) FROM " + events + " WHERE category = ? AND stream_id = ?";
        String notices = schema.table("stream_notices");
        headPosition = "WITH b AS (SELECT " + VISIBLE_BOUND + " AS bound) SELECT greatest("
                + "(SELECT coalesce(max(position), 0) FROM " + events + " WHERE position < (SELECT bound FROM b)), "
                + "(SELECT coalesce(max(position), 0) FROM " + notices + " WHERE position < (SELECT bound FROM b)))";
        String noticeColumns = "position, category, stream_id, kept_from, NULL::uuid, type, 1, '{}', '{}', recorded_at,"
                + " recorded_at";
        noticesOfTransaction = "SELECT " + noticeColumns + " FROM " + notices
                + " WHERE position >= (pg_current_xact_id()::text::bigint << 20)"
                + " AND position < ((pg_current_xact_id()::text::bigint + 1) << 20) ORDER BY position";
        logHoldback = "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''),"
                + " extract(epoch FROM clock_timestamp() - a.xact_start)::float8, left(coalesce(a.query, ''), "
                + LogHoldback.QUERY_PREVIEW + "), a.xact_start::text"
                + " FROM pg_snapshot_xip(pg_current_snapshot()) AS x JOIN pg_stat_activity a"
                + " ON a.backend_xid::text::bigint = (x::text::bigint & 4294967295)"
                + " WHERE a.datid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())"
                + " AND EXISTS (SELECT 1 FROM " + events + " e WHERE e.position >= (x::text::bigint << 20))"
                + " ORDER BY x::text::bigint LIMIT 1";
        for (int i = 0; i < 4; i++) {
            readPage[i] = "SELECT " + EVENT_COLUMNS + " FROM " + events + " WHERE position > ? AND position < "
                    + VISIBLE_BOUND + ((i & 2) != 0 ? " AND category = ANY (?)" : "")
                    + ((i & 1) != 0 ? " AND type = ANY (?)" : "") + " ORDER BY position LIMIT ?";
            // One bound for both tables, so that no event below a notice returned is left out.
            readPageWithNotices[i] = "WITH b AS (SELECT " + VISIBLE_BOUND + " AS bound) SELECT * FROM ((SELECT "
                    + EVENT_COLUMNS + " FROM " + events + " WHERE position > ? AND position < (SELECT bound FROM b)"
                    + ((i & 2) != 0 ? " AND category = ANY (?)" : "")
                    + ((i & 1) != 0 ? " AND type = ANY (?)" : "") + " ORDER BY position LIMIT ?) UNION ALL (SELECT "
                    + noticeColumns + " FROM " + notices + " WHERE position > ? AND position < (SELECT bound FROM b)"
                    + ((i & 2) != 0 ? " AND category = ANY (?)" : "") + " ORDER BY position LIMIT ?)) page"
                    + " ORDER BY 1 LIMIT ?";
            readStream[i] = streamRead(EVENT_COLUMNS, events, i);
            readStreamPayloads[i] = streamRead("stream_version, event_id, type, schema_version, payload::text", events,
                    i);
        }

        String snapshots = schema.table("snapshots");
        loadSnapshot = "SELECT version, schema_version, payload::text, taken_at FROM " + snapshots
                + " WHERE category = ? AND stream_id = ?";
        saveSnapshot = "INSERT INTO " + snapshots + " AS s (category, stream_id, version, schema_version, payload,"
                + " taken_at) VALUES (?, ?, ?, ?, ?::json, ?) ON CONFLICT (category, stream_id) DO UPDATE SET"
                + " version = excluded.version, schema_version = excluded.schema_version,"
                + " payload = excluded.payload, taken_at = excluded.taken_at WHERE s.version <= excluded.version";
        deleteSnapshot = "DELETE FROM " + snapshots + " WHERE category = ? AND stream_id = ?";

        String deadlines = schema.table("deadlines");
        String deadlineColumns = "id, process, instance, name, due";
        scheduleDeadline = "INSERT INTO " + deadlines + " (" + deadlineColumns + ") VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET due = excluded.due";
        cancelDeadline = "DELETE FROM " + deadlines + " WHERE id = ?";
        findDeadline = "SELECT " + deadlineColumns + " FROM " + deadlines + " WHERE id = ?";
        dueDeadlines = "SELECT " + deadlineColumns + " FROM " + deadlines + " WHERE process = ? AND due <= ?"
                + " ORDER BY due, id LIMIT ?";
        removeDeadline = "DELETE FROM " + deadlines + " WHERE id = ? AND due = ?";

        String checkpoints = schema.table("checkpoints");
        loadCheckpoint = "SELECT position FROM " + checkpoints + " WHERE consumer = ?";
        saveCheckpoint = "INSERT INTO " + checkpoints + " (consumer, position, updated_at) VALUES (?, ?, now())"
                + " ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at";
        deleteCheckpoint = "DELETE FROM " + checkpoints + " WHERE consumer = ?";
        loadAllCheckpoints = "SELECT consumer, position FROM " + checkpoints + " ORDER BY consumer";
        String pauses = schema.table("projection_pauses");
        pause = "INSERT INTO " + pauses + " (consumer) VALUES (?) ON CONFLICT (consumer) DO NOTHING";
        resume = "DELETE FROM " + pauses + " WHERE consumer = ?";
        isPaused = "SELECT 1 FROM " + pauses + " WHERE consumer = ?";
        loadPaused = "SELECT consumer FROM " + pauses;

        lockCheckpoint = "SELECT position FROM " + checkpoints + " WHERE consumer = ? FOR UPDATE";
        String leases = schema.table("projection_leases");
        // Held in the transaction that saves a checkpoint: a node taking the lease over waits for it to end.
        holdLease = "SELECT 1 FROM " + leases + " WHERE name = ? AND owner = ? AND expires_at > clock_timestamp()"
                + " FOR SHARE";
        acquireLease = "INSERT INTO " + leases + " AS l (name, owner, expires_at)"
                + " VALUES (?, ?, clock_timestamp() + ? * interval '1 millisecond')"
                + " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
                + " WHERE l.owner = excluded.owner OR l.expires_at <= clock_timestamp() RETURNING owner";
        releaseLease = "DELETE FROM " + leases + " WHERE name = ? AND owner = ?";
        leaseOwner = "SELECT owner FROM " + leases + " WHERE name = ? AND expires_at > clock_timestamp()";
        String deadLetters = schema.table("dead_letters");
        String deadLetterColumns = "projection, position, event_id, category, stream_id, stream_version, type, error,"
                + " stack_trace, attempts, failed_at";
        addDeadLetter = "INSERT INTO " + deadLetters + " (" + deadLetterColumns + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (projection, position) DO UPDATE SET"
                + " event_id = excluded.event_id, category = excluded.category, stream_id = excluded.stream_id,"
                + " stream_version = excluded.stream_version, type = excluded.type, error = excluded.error,"
                + " stack_trace = excluded.stack_trace, attempts = excluded.attempts, failed_at = excluded.failed_at,"
                + " replay_requested = false";
        listDeadLetters = "SELECT " + deadLetterColumns + " FROM " + deadLetters + " WHERE projection = ? ORDER BY position";
        findDeadLetter = "SELECT " + deadLetterColumns + " FROM " + deadLetters + " WHERE projection = ? AND position = ?";
        removeDeadLetter = "DELETE FROM " + deadLetters + " WHERE projection = ? AND position = ?";
        requestReplay = "UPDATE " + deadLetters + " SET replay_requested = true WHERE projection = ? AND position = ?";
        replayRequests = "SELECT position FROM " + deadLetters + " WHERE projection = ? AND replay_requested"
                + " ORDER BY position";
    }

    /**
     * A page of the global log. Parameters: after position, then the categories array if
     * {@code byCategory}, then the types array if {@code byType}, then the limit.
     */
    String readPage(boolean byCategory, boolean byType) {
        return readPage[(byCategory ? 2 : 0) + (byType ? 1 : 0)];
    }

    /**
     * {@link #readPage} with the notices of removed streams merged in by position, in the columns of events (the kept
     * version as the version, no event id). Parameters: as {@link #readPage}, then the after position, the categories
     * array if {@code byCategory} and the limit again.
     */
    String readPageWithNotices(boolean byCategory, boolean byType) {
        return readPageWithNotices[(byCategory ? 2 : 0) + (byType ? 1 : 0)];
    }

    /**
     * Part of one stream. Parameters: category, stream id, lowest and highest version, then (if {@code asOf})
     * category, stream id and the instant, then the limit.
     */
    String readStream(Direction direction, boolean asOf) {
        return readStream[(direction == Direction.BACKWARDS ? 2 : 0) + (asOf ? 1 : 0)];
    }

    /** {@link #readStream} with only stream version, type, schema version and payload selected, in that order. */
    String readStreamPayloads(Direction direction, boolean asOf) {
        return readStreamPayloads[(direction == Direction.BACKWARDS ? 2 : 0) + (asOf ? 1 : 0)];
    }

    /**
     * A read of part of a stream, {@code i} being (backwards ? 2 : 0) + (asOf ? 1 : 0). As of an instant, a stream
     * ends before its first event recorded later: always a prefix, no gaps.
     */
    private static String streamRead(String columns, String events, int i) {
        return "SELECT " + columns + " FROM " + events
                + " WHERE category = ? AND stream_id = ? AND stream_version BETWEEN ? AND ?"
                + ((i & 1) != 0 ? " AND stream_version < coalesce((SELECT min(l.stream_version) FROM " + events
                + " l WHERE l.category = ? AND l.stream_id = ? AND l.recorded_at > ?), 9223372036854775807)" : "")
                + " ORDER BY stream_version " + ((i & 2) != 0 ? "DESC" : "ASC") + " LIMIT ?";
    }

    /**
     * The statement that records a migration as applied, for a script: its values are the shipped file's name and
     * checksum, written as literals (both are made of letters, digits, '_' and '.').
     */
    String recordHistory(int version, String file, String checksum) {
        if (!file.matches("[A-Za-z0-9_.]+") || !checksum.matches("[0-9a-f]+")) {
            throw new IllegalStateException("unexpected migration name or checksum: " + file + ", " + checksum);
        }
        return "INSERT INTO " + history + " (version, script, checksum) VALUES (" + version + ", '" + file + "', '"
                + checksum + "') ON CONFLICT (version) DO NOTHING";
    }

    /**
     * An append with an exact (or no-stream) expectation as one insert (see V12): the events at the versions after
     * the expected one, at positions in the range of the statement's transaction id, inserted only if the stream's
     * last event is the expected version (for no stream: only if the stream has no event, truncated ones included).
     * One backward probe of the stream's unique key finds that event and locks it against a concurrent delete
     * ({@code FOR KEY SHARE}; a delete that took it first ends before, and the append then finds it gone). No row
     * inserted: the expectation does not hold. Transaction ids beyond the positions' range insert nothing (the
     * append function then names the problem). A single event is bound as values, a batch as arrays (unnested in
     * order): the server parses no array for the common single append.
     * <p>
     * In the store's own transaction ({@code callersTransaction} false) the transaction is new: its positions
     * start at the bottom of its range, and a unique violation (the next version or an event id is taken) fails
     * the statement. In the caller's transaction the positions follow what the transaction stored before, the
     * insert does nothing unless the expected version's event lies below them (a transaction that had its id
     * before a younger one appended to the stream must not sort below it: the append function then refuses it)
     * and the events fit in the range, and a taken version or event id skips that row instead of aborting the
     * transaction ({@code ON CONFLICT DO NOTHING}): fewer rows than events come back, and the caller removes the
     * ones inserted.
     * <p>
     * Parameters: category, stream id, expected version; for one event its id, type, schema version, payload,
     * metadata and occurrence time, for a batch the number of events and those six as arrays; then the expected
     * version, category, stream id and twice the expected version; for a batch in the caller's transaction then
     * the number of events.
     */
    private static String insertEvents(String events, boolean callersTransaction, boolean single) {
        String base = "(pg_current_xact_id()::text::bigint << 20)";
        String top = callersTransaction ? "t.top" : base;
        String values = single
                ? " SELECT " + top + " + 1, ?, ?, ? + 1, ?, ?, ?, ?::json, ?::json, clock_timestamp(),"
                + " pg_current_xact_id(), 0, 1, ?"
                : " SELECT " + top + " + b.n, ?, ?, ? + b.n, b.id, b.type, b.schema_version, b.payload::json,"
                + " b.metadata::json, (SELECT clock_timestamp()), pg_current_xact_id(), b.n - 1, ?, b.occurred_at";
        List<String> sources = new ArrayList<>();
        if (callersTransaction) {
            sources.add("(SELECT coalesce(max(t.position), " + base + ") AS top FROM " + events + " t"
                    + " WHERE t.position >= " + base + " AND t.position < " + base + " + 1048576) t");
        }
        if (!single) {
            sources.add("unnest(?::uuid[], ?::text[], ?::int4[], ?::text[], ?::text[], ?::timestamptz[])"
                    + " WITH ORDINALITY AS b (id, type, schema_version, payload, metadata, occurred_at, n)");
        }
        String expectation = "coalesce((SELECT p.stream_version = ?"
                + (callersTransaction ? " AND p.position <= t.top" : "") + " FROM " + events + " p"
                + " WHERE p.category = ? AND p.stream_id = ? AND p.stream_version >= ?"
                + " ORDER BY p.stream_version DESC LIMIT 1 FOR KEY SHARE), ? = 0)";
        String fits = callersTransaction ? " AND t.top + " + (single ? "1" : "?") + " < " + base + " + 1048576" : "";
        return "INSERT INTO " + events + " (position, category, stream_id, stream_version, event_id, type,"
                + " schema_version, payload, metadata, recorded_at, tx_id, append_index, append_size, occurred_at)"
                + values + (sources.isEmpty() ? "" : " FROM " + String.join(", ", sources))
                + " WHERE " + expectation + fits + " AND pg_current_xact_id()::text::bigint < 8796093022208"
                + (callersTransaction ? " ON CONFLICT DO NOTHING" : "") + " RETURNING position, recorded_at";
    }
}
