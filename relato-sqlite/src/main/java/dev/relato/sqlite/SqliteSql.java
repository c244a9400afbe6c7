package dev.relato.sqlite;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Every SQL statement of the SQLite backend, for one table prefix. Identifiers come only from the validated
 * prefix; values are always bound. Immutable and thread-safe.
 *
 * <p>Tables, all named {@code <prefix>…}:
 * <ul>
 *   <li>{@code events}: the log. {@code position} is the rowid, so the table is stored in position order and a
 *       range read by position is a b-tree range scan. Positions are assigned as {@code max(position) + 1}
 *       (or above {@code log_head}) inside the single write transaction, so they rise strictly in commit order
 *       and a position is never reused. {@code (category, stream_id, version)} is unique and serves stream
 *       reads and the version check; {@code event_id} is unique and serves idempotent retries;
 *       {@code append_first}, the position of the first event of the same append, tells a retry of a whole
 *       append from a repetition of part of it.</li>
 *   <li>{@code snapshots}: the latest snapshot per stream.</li>
 *   <li>{@code checkpoints}: one position per consumer.</li>
 *   <li>{@code dead_letters}: events a projection skipped, one per projection and position (schema version 2).</li>
 *   <li>{@code events.occurred_at}: when an event occurred, if the appender said (schema version 3).</li>
 *   <li>{@code projection_leases}: who holds the lease of a projection (or partition) until when, in epoch
 *       milliseconds (schema version 4).</li>
 *   <li>{@code log_head}: one row, the highest position given before a stream deletion removed the events
 *       that held it, so positions are never given twice (schema version 5).</li>
 *   <li>{@code stream_tombstones}: streams deleted with a tombstone, which refuse appends (schema version 5).</li>
 *   <li>{@code data_keys}: the wrapped data keys of personal data, per subject (schema version 5).</li>
 *   <li>{@code deadlines}: the deadlines process managers scheduled, due in epoch milliseconds (schema version 6).</li>
 *   <li>{@code projection_pauses}: the consumers an operator paused, since when in epoch milliseconds (schema
 *       version 7).</li>
 *   <li>{@code dead_letters.replay_requested}: 1 when an operator asked for the dead letter to be replayed (schema
 *       version 8).</li>
 *   <li>{@code stream_notices}: the notices of removed streams, at positions of the log shared with the events: the
 *       next position after every event and notice, given in the removal's own transaction (schema version 9).</li>
 *   <li>{@code schema_migrations}: the schema versions applied to this prefix' tables.</li>
 * </ul>
 */
final class SqliteSql {
    /** The schema version this code writes and reads; see {@link #migrations()}. */
    static final int SCHEMA_VERSION = 9;

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,47}");
    private static final String EVENT_COLUMNS =
            "position, category, stream_id, version, event_id, type, schema_version, payload, metadata, recorded_at, "
                    + "occurred_at";
    private static final String PAYLOAD_COLUMNS = "version, event_id, type, schema_version, payload";
    private static final String INSERT_COLUMNS = EVENT_COLUMNS + ", append_first";

    final String prefix;
    final String events;
    final String snapshots;
    final String checkpoints;
    final String deadLetters;
    final String leases;
    final String deadlines;
    final String pauses;
    final String migrationsTable;
    final String logHead;
    final String tombstones;
    final String dataKeys;
    final String notices;
    // the statements of every append and stream read, built once: each use looks its prepared statement up by them
    private final String appendState;
    private final String insertEvent;
    private final String readStreamForwards;
    private final String readStreamBackwards;
    private final String readStreamPayloadsForwards;
    private final String readStreamPayloadsBackwards;

    SqliteSql(String prefix) {
        this.prefix = validatePrefix(prefix);
        this.events = prefix + "events";
        this.snapshots = prefix + "snapshots";
        this.checkpoints = prefix + "checkpoints";
        this.deadLetters = prefix + "dead_letters";
        this.leases = prefix + "projection_leases";
        this.deadlines = prefix + "deadlines";
        this.pauses = prefix + "projection_pauses";
        this.migrationsTable = prefix + "schema_migrations";
        this.logHead = prefix + "log_head";
        this.tombstones = prefix + "stream_tombstones";
        this.dataKeys = prefix + "data_keys";
        this.notices = prefix + "stream_notices";
        this.appendState = appendStateSql();
        this.insertEvent = insertEventSql();
        this.readStreamForwards = readStreamSql(EVENT_COLUMNS, true);
        this.readStreamBackwards = readStreamSql(EVENT_COLUMNS, false);
        this.readStreamPayloadsForwards = readStreamSql(PAYLOAD_COLUMNS, true);
        this.readStreamPayloadsBackwards = readStreamSql(PAYLOAD_COLUMNS, false);
    }

    /**
     * Checks a table prefix: empty, or an ASCII letter or {@code _} followed by up to 47 letters, digits or
     * {@code _}, and not starting with SQLite's reserved {@code sqlite_}.
     *
     * @throws IllegalArgumentException naming the prefix and the rule
     */
    static String validatePrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("table prefix must not be null; use \"\" for none");
        }
        if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("table prefix '" + prefix + "' is not a valid identifier: use up to 48 "
                    + "ASCII letters, digits or '_', not starting with a digit (for example \"relato_\")");
        }
        if (prefix.toLowerCase(Locale.ROOT).startsWith("sqlite_")) {
            throw new IllegalArgumentException("table prefix '" + prefix + "' starts with 'sqlite_', which SQLite "
                    + "reserves for its own tables");
        }
        return prefix;
    }

    // ---- transactions

    static final String BEGIN_IMMEDIATE = "BEGIN IMMEDIATE";
    static final String COMMIT = "COMMIT";
    static final String ROLLBACK = "ROLLBACK";
    static final String SAVEPOINT = "SAVEPOINT relato_append";
    static final String RELEASE_SAVEPOINT = "RELEASE relato_append";
    static final String ROLLBACK_TO_SAVEPOINT = "ROLLBACK TO relato_append";

    // ---- connection settings not covered by the driver's configuration

    static final String JOURNAL_MODE = "PRAGMA journal_mode";
    /** Read connections refuse writes, so a stray write can never bypass the write lock. */
    static final String QUERY_ONLY = "PRAGMA query_only = 1";

    // ---- schema

    /** Parameter: a table name. */
    static final String TABLE_EXISTS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?";

    String createMigrationsTable() {
        return "CREATE TABLE IF NOT EXISTS " + migrationsTable
                + " (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";
    }

    String currentSchemaVersion() {
        return "SELECT coalesce(max(version), 0) FROM " + migrationsTable;
    }

    String recordMigration() {
        return "INSERT INTO " + migrationsTable + " (version, applied_at) VALUES (?, ?)";
    }

    /** Migration {@code i + 1} is {@code migrations().get(i)}: statements run in one transaction. */
    List<List<String>> migrations() {
        return List.of(List.of(
                "CREATE TABLE " + events + " ("
                        + "position INTEGER PRIMARY KEY, "
                        + "category TEXT NOT NULL, "
                        + "stream_id TEXT NOT NULL, "
                        + "version INTEGER NOT NULL, "
                        + "event_id TEXT NOT NULL, "
                        + "type TEXT NOT NULL, "
                        + "schema_version INTEGER NOT NULL, "
                        + "payload TEXT NOT NULL, "
                        + "metadata TEXT, "
                        + "recorded_at INTEGER NOT NULL, "
                        + "append_first INTEGER NOT NULL, "
                        + "CONSTRAINT " + events + "_stream_version UNIQUE (category, stream_id, version), "
                        + "CONSTRAINT " + events + "_event_id UNIQUE (event_id))",
                "CREATE TABLE " + snapshots + " ("
                        + "category TEXT NOT NULL, "
                        + "stream_id TEXT NOT NULL, "
                        + "version INTEGER NOT NULL, "
                        + "schema_version INTEGER NOT NULL, "
                        + "payload TEXT NOT NULL, "
                        + "taken_at INTEGER NOT NULL, "
                        + "PRIMARY KEY (category, stream_id)) WITHOUT ROWID",
                "CREATE TABLE " + checkpoints + " ("
                        + "consumer TEXT NOT NULL PRIMARY KEY, "
                        + "position INTEGER NOT NULL, "
                        + "updated_at INTEGER NOT NULL) WITHOUT ROWID"),
                List.of("CREATE TABLE " + deadLetters + " ("
                        + "projection TEXT NOT NULL, "
                        + "position INTEGER NOT NULL, "
                        + "event_id TEXT NOT NULL, "
                        + "category TEXT NOT NULL, "
                        + "stream_id TEXT NOT NULL, "
                        + "version INTEGER NOT NULL, "
                        + "type TEXT NOT NULL, "
                        + "error TEXT NOT NULL, "
                        + "stack_trace TEXT NOT NULL, "
                        + "attempts INTEGER NOT NULL, "
                        + "failed_at INTEGER NOT NULL, "
                        + "PRIMARY KEY (projection, position)) WITHOUT ROWID"),
                // The time an event occurred, when the appender gave one (epoch microseconds; null: as recorded).
                List.of("ALTER TABLE " + events + " ADD COLUMN occurred_at INTEGER"),
                List.of("CREATE TABLE " + leases + " ("
                        + "name TEXT NOT NULL PRIMARY KEY, "
                        + "owner TEXT NOT NULL, "
                        + "expires_at INTEGER NOT NULL) WITHOUT ROWID"),
                // Stream deletion and the keys of personal data.
                List.of("CREATE TABLE " + logHead + " (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL)",
                        "CREATE TABLE " + tombstones + " ("
                                + "category TEXT NOT NULL, "
                                + "stream_id TEXT NOT NULL, "
                                + "deleted_at INTEGER NOT NULL, "
                                + "PRIMARY KEY (category, stream_id)) WITHOUT ROWID",
                        "CREATE TABLE " + dataKeys + " ("
                                + "key_id TEXT NOT NULL PRIMARY KEY, "
                                + "subject TEXT NOT NULL, "
                                + "wrapped BLOB NOT NULL, "
                                + "created_at INTEGER NOT NULL)",
                        "CREATE INDEX " + dataKeys + "_subject ON " + dataKeys + " (subject, created_at)"),
                // Deadlines of process managers; due in epoch milliseconds.
                List.of("CREATE TABLE " + deadlines + " ("
                                + "id TEXT NOT NULL PRIMARY KEY, "
                                + "process TEXT NOT NULL, "
                                + "instance TEXT NOT NULL, "
                                + "name TEXT NOT NULL, "
                                + "due INTEGER NOT NULL) WITHOUT ROWID",
                        "CREATE INDEX " + deadlines + "_due ON " + deadlines + " (process, due)"),
                // Consumers an operator paused; paused_at in epoch milliseconds.
                List.of("CREATE TABLE " + pauses + " ("
                        + "consumer TEXT NOT NULL PRIMARY KEY, "
                        + "paused_at INTEGER NOT NULL) WITHOUT ROWID"),
                // Replays of dead letters operators asked for, which the projection's runner carries out.
                List.of("ALTER TABLE " + deadLetters + " ADD COLUMN replay_requested INTEGER NOT NULL DEFAULT 0"),
                // Notices of deleted, tombstoned and truncated streams; type is the notice's reserved event type.
                List.of("CREATE TABLE " + notices + " ("
                        + "position INTEGER PRIMARY KEY, "
                        + "category TEXT NOT NULL, "
                        + "stream_id TEXT NOT NULL, "
                        + "type TEXT NOT NULL, "
                        + "kept_from INTEGER NOT NULL, "
                        + "recorded_at INTEGER NOT NULL)"));
    }

    // ---- appends

    /**
     * One round trip before an append: the head position, the stream's version, and where the batch's first
     * event id is stored (null if nowhere). Parameters: category, stream id, first event id.
     */
    String appendState() {
        return appendState;
    }

    private String appendStateSql() {
        return "SELECT " + head() + ", "
                + "coalesce((SELECT max(version) FROM " + events + " WHERE category = ?1 AND stream_id = ?2), 0), "
                + "(SELECT position FROM " + events + " WHERE event_id = ?3), "
                + "EXISTS (SELECT 1 FROM " + tombstones + " WHERE category = ?1 AND stream_id = ?2)";
    }

    /** The highest position given: of the events, of events deleted since, or of the notices of removals. */
    private String head() {
        return "max(coalesce((SELECT max(position) FROM " + events + "), 0), "
                + "coalesce((SELECT position FROM " + logHead + " WHERE id = 1), 0), "
                + "coalesce((SELECT max(position) FROM " + notices + "), 0))";
    }

    String insertEvent() {
        return insertEvent;
    }

    private String insertEventSql() {
        return "INSERT INTO " + events + " (" + INSERT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    }

    /** Where one event id is stored, and the position of the first event of its append. Parameter: event id. */
    String eventById() {
        return "SELECT category, stream_id, version, position, append_first FROM " + events + " WHERE event_id = ?";
    }

    /** The position of the first event of the append that wrote the event at a position. Parameter: position. */
    String appendFirstAt() {
        return "SELECT append_first FROM " + events + " WHERE position = ?";
    }

    // ---- reads

    String streamVersion() {
        return "SELECT coalesce(max(version), 0) FROM " + events + " WHERE category = ? AND stream_id = ?";
    }

    String headPosition() {
        return "SELECT " + head();
    }

    // ---- stream operations

    /** Keeps the head before events are deleted. */
    String keepHead() {
        return "INSERT INTO " + logHead + " (id, position) SELECT 1, " + head()
                + " WHERE true ON CONFLICT (id) DO UPDATE SET position = excluded.position";
    }

    /** Parameters: category, stream id, lowest version kept. */
    String deleteEventsBelow() {
        return "DELETE FROM " + events + " WHERE category = ? AND stream_id = ? AND version < ?";
    }

    /** The notice of a removal, at the next position. Parameters: category, stream id, type, kept from, time. */
    String addNotice() {
        return "INSERT INTO " + notices + " (position, category, stream_id, type, kept_from, recorded_at) SELECT "
                + head() + " + 1, ?, ?, ?, ?, ? RETURNING position";
    }

    /** Parameters: category, stream id. */
    String isTombstoned() {
        return "SELECT 1 FROM " + tombstones + " WHERE category = ? AND stream_id = ?";
    }

    /** Parameters: category, stream id, time. */
    String addTombstone() {
        return "INSERT INTO " + tombstones + " (category, stream_id, deleted_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (category, stream_id) DO NOTHING";
    }

    /** Parameters: category, stream id, lowest version, highest version, recorded at or before, limit. */
    String readStream(boolean forwards) {
        return forwards ? readStreamForwards : readStreamBackwards;
    }

    /** {@link #readStream} with only version, event id, type, schema version and payload selected, in that order. */
    String readStreamPayloads(boolean forwards) {
        return forwards ? readStreamPayloadsForwards : readStreamPayloadsBackwards;
    }

    private String readStreamSql(String columns, boolean forwards) {
        return "SELECT " + columns + " FROM " + events
                + " WHERE category = ? AND stream_id = ? AND version BETWEEN ? AND ? AND recorded_at <= ?"
                + " ORDER BY version " + (forwards ? "ASC" : "DESC") + " LIMIT ?";
    }

    /**
     * A page of the log after a position. Parameters: after position, then each category, then each type, then
     * the limit. The {@code +} before the filtered columns keeps the planner on the position (rowid) range scan.
     */
    String readPage(int categories, int types) {
        StringBuilder sql = new StringBuilder("SELECT ").append(EVENT_COLUMNS).append(" FROM ").append(events)
                .append(" WHERE position > ?");
        appendIn(sql, "+category", categories);
        appendIn(sql, "+type", types);
        return sql.append(" ORDER BY position LIMIT ?").toString();
    }

    /**
     * {@link #readPage} with the notices of removals merged in by position, in the columns of events (the notice's
     * kept version as the version, no event id). Parameters: as {@link #readPage}, then the after position, each
     * category again, and the limit.
     */
    String readPageWithNotices(int categories, int types) {
        StringBuilder sql = new StringBuilder("SELECT * FROM (").append(readPage(categories, types))
                .append(") UNION ALL SELECT * FROM (SELECT position, category, stream_id, kept_from, NULL, type, 1, '{}',"
                        + " NULL, recorded_at, NULL FROM ").append(notices).append(" WHERE position > ?");
        appendIn(sql, "category", categories);
        return sql.append(" ORDER BY position LIMIT ?) ORDER BY 1 LIMIT ?").toString();
    }

    private static void appendIn(StringBuilder sql, String column, int count) {
        if (count == 0) {
            return;
        }
        sql.append(" AND ").append(column).append(" IN (");
        for (int i = 0; i < count; i++) {
            sql.append(i == 0 ? "?" : ", ?");
        }
        sql.append(')');
    }

    // ---- snapshots

    String loadSnapshot() {
        return "SELECT version, schema_version, payload, taken_at FROM " + snapshots
                + " WHERE category = ? AND stream_id = ?";
    }

    /** Keeps the stored snapshot if it is at a higher version. */
    String saveSnapshot() {
        return "INSERT INTO " + snapshots + " (category, stream_id, version, schema_version, payload, taken_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (category, stream_id) DO UPDATE SET version = excluded.version,"
                + " schema_version = excluded.schema_version, payload = excluded.payload, taken_at = excluded.taken_at"
                + " WHERE excluded.version >= " + snapshots + ".version";
    }

    String deleteSnapshot() {
        return "DELETE FROM " + snapshots + " WHERE category = ? AND stream_id = ?";
    }

    // ---- data keys of personal data

    private static final String DATA_KEY_COLUMNS = "key_id, subject, wrapped, created_at";

    String newestDataKey() {
        return "SELECT " + DATA_KEY_COLUMNS + " FROM " + dataKeys + " WHERE subject = ?"
                + " ORDER BY created_at DESC, key_id DESC LIMIT 1";
    }

    String findDataKey() {
        return "SELECT " + DATA_KEY_COLUMNS + " FROM " + dataKeys + " WHERE key_id = ?";
    }

    String dataKeysOf() {
        return "SELECT " + DATA_KEY_COLUMNS + " FROM " + dataKeys + " WHERE subject = ? ORDER BY created_at, key_id";
    }

    String dataKeyIds() {
        return "SELECT key_id FROM " + dataKeys;
    }

    String addDataKey() {
        return "INSERT INTO " + dataKeys + " (" + DATA_KEY_COLUMNS + ") VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING";
    }

    String rewrapDataKey() {
        return "UPDATE " + dataKeys + " SET wrapped = ? WHERE key_id = ?";
    }

    String destroyDataKeys() {
        return "DELETE FROM " + dataKeys + " WHERE subject = ?";
    }

    // ---- checkpoints

    String loadCheckpoint() {
        return "SELECT position FROM " + checkpoints + " WHERE consumer = ?";
    }

    String saveCheckpoint() {
        return "INSERT INTO " + checkpoints + " (consumer, position, updated_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at";
    }

    String deleteCheckpoint() {
        return "DELETE FROM " + checkpoints + " WHERE consumer = ?";
    }

    String loadAllCheckpoints() {
        return "SELECT consumer, position FROM " + checkpoints + " ORDER BY consumer";
    }

    String pause() {
        return "INSERT INTO " + pauses + " (consumer, paused_at) VALUES (?, CAST(strftime('%s', 'now') AS INTEGER) * 1000)"
                + " ON CONFLICT (consumer) DO NOTHING";
    }

    String resume() {
        return "DELETE FROM " + pauses + " WHERE consumer = ?";
    }

    String isPaused() {
        return "SELECT 1 FROM " + pauses + " WHERE consumer = ?";
    }

    String loadPaused() {
        return "SELECT consumer FROM " + pauses;
    }

    // ---- dead letters of projections

    private static final String DEAD_LETTER_COLUMNS =
            "projection, position, event_id, category, stream_id, version, type, error, stack_trace, attempts, failed_at";

    String addDeadLetter() {
        return "INSERT INTO " + deadLetters + " (" + DEAD_LETTER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (projection, position) DO UPDATE SET event_id = excluded.event_id,"
                + " category = excluded.category, stream_id = excluded.stream_id, version = excluded.version,"
                + " type = excluded.type, error = excluded.error, stack_trace = excluded.stack_trace,"
                + " attempts = excluded.attempts, failed_at = excluded.failed_at, replay_requested = 0";
    }

    String listDeadLetters() {
        return "SELECT " + DEAD_LETTER_COLUMNS + " FROM " + deadLetters + " WHERE projection = ? ORDER BY position";
    }

    String findDeadLetter() {
        return "SELECT " + DEAD_LETTER_COLUMNS + " FROM " + deadLetters + " WHERE projection = ? AND position = ?";
    }

    String removeDeadLetter() {
        return "DELETE FROM " + deadLetters + " WHERE projection = ? AND position = ?";
    }

    String requestReplay() {
        return "UPDATE " + deadLetters + " SET replay_requested = 1 WHERE projection = ? AND position = ?";
    }

    String replayRequests() {
        return "SELECT position FROM " + deadLetters + " WHERE projection = ? AND replay_requested = 1 ORDER BY position";
    }

    // ---- projection leases

    /**
     * Takes or renews a lease: parameters name, owner, expiry, now. Changes one row if the lease was free, expired or
     * the owner's already, and none if another node holds it.
     */
    String acquireLease() {
        return "INSERT INTO " + leases + " (name, owner, expires_at) VALUES (?1, ?2, ?3)"
                + " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
                + " WHERE " + leases + ".owner = excluded.owner OR " + leases + ".expires_at <= ?4";
    }

    /** Parameters: name, owner. */
    String releaseLease() {
        return "DELETE FROM " + leases + " WHERE name = ? AND owner = ?";
    }

    /** Parameters: name, now. */
    String leaseOwner() {
        return "SELECT owner FROM " + leases + " WHERE name = ? AND expires_at > ?";
    }

    // ---- deadlines of process managers

    private static final String DEADLINE_COLUMNS = "id, process, instance, name, due";

    String scheduleDeadline() {
        return "INSERT INTO " + deadlines + " (" + DEADLINE_COLUMNS + ") VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET due = excluded.due";
    }

    String cancelDeadline() {
        return "DELETE FROM " + deadlines + " WHERE id = ?";
    }

    String findDeadline() {
        return "SELECT " + DEADLINE_COLUMNS + " FROM " + deadlines + " WHERE id = ?";
    }

    String dueDeadlines() {
        return "SELECT " + DEADLINE_COLUMNS + " FROM " + deadlines + " WHERE process = ? AND due <= ?"
                + " ORDER BY due, id LIMIT ?";
    }

    String removeDeadline() {
        return "DELETE FROM " + deadlines + " WHERE id = ? AND due = ?";
    }
}
