package dev.relato.bench;

import dev.relato.StreamId;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Every SQL statement of the plain-JDBC peers, for one dialect, table shape, schema and table prefix. Identifiers
 * come only from the prefix the harness picks; values are always bound. Immutable and thread-safe.
 *
 * <p>Two shapes of table:
 * <ul>
 *   <li>{@link Shape#LEAN}: the least a correct event store needs. One row per event: a global position
 *       (identity column; SQLite: the rowid), the stream as one text column, its version, the event id (unique),
 *       the type and the payload (PostgreSQL: {@code jsonb}; SQLite: text), with {@code UNIQUE (stream, version)}.
 *       Snapshots: one row per stream with its version and payload.</li>
 *   <li>{@link Shape#RELATO}: Relato's envelope: category and stream id apart, schema version, metadata, time
 *       recorded, {@code UNIQUE (category, stream_id, version)}, the unique event id, and on PostgreSQL the same
 *       {@code (category, position)} index; snapshots with their schema version and time taken.</li>
 * </ul>
 */
final class JdbcSql {
    /** The database engine. */
    enum Dialect { SQLITE, POSTGRES }

    /** The tables' shape. */
    enum Shape { LEAN, RELATO }

    final Dialect dialect;
    final Shape shape;
    final String events;
    final String snapshots;
    /** The W6 read model: balance and event count per account. */
    final String balances;
    final String checkpoints;
    private final String categoryIndex;
    /** The stream's column(s) in a WHERE clause, with their parameters. */
    private final String streamIs;

    /**
     * @param schema the schema qualifying the tables; empty for none
     * @param prefix the prefix of the table names
     */
    JdbcSql(Dialect dialect, Shape shape, String schema, String prefix) {
        String identifier = "[a-z_][a-z0-9_]*";
        if (!prefix.matches(identifier) || !(schema.isEmpty() || schema.matches(identifier))) {
            throw new IllegalArgumentException("bad schema '" + schema + "' or table prefix '" + prefix + "'");
        }
        String qualifier = schema.isEmpty() ? "" : schema + ".";
        this.dialect = dialect;
        this.shape = shape;
        this.events = qualifier + prefix + "events";
        this.snapshots = qualifier + prefix + "snapshots";
        this.categoryIndex = prefix + "events_category_position_idx";
        this.balances = qualifier + prefix + "balances";
        this.checkpoints = qualifier + prefix + "checkpoints";
        this.streamIs = shape == Shape.LEAN ? "stream = ?" : "category = ? AND stream_id = ?";
    }

    /** Binds a stream to the parameters of {@link #streamIs} from {@code index}; returns the next index. */
    int bindStream(PreparedStatement statement, int index, StreamId stream) throws SQLException {
        if (shape == Shape.LEAN) {
            statement.setString(index, stream.toString());
            return index + 1;
        }
        statement.setString(index, stream.category());
        statement.setString(index + 1, stream.id());
        return index + 2;
    }

    /** The read model's table, and a checkpoint table for the plain-JDBC projection. */
    List<String> createReadModel() {
        String integer = dialect == Dialect.SQLITE ? "INTEGER" : "BIGINT";
        return List.of("CREATE TABLE IF NOT EXISTS " + balances + " (account_id TEXT PRIMARY KEY, "
                        + "balance_cents " + integer + " NOT NULL, events " + integer + " NOT NULL)",
                "CREATE TABLE IF NOT EXISTS " + checkpoints + " (consumer TEXT PRIMARY KEY, position " + integer
                        + " NOT NULL)");
    }

    String clearReadModel() {
        return "DELETE FROM " + balances;
    }

    /** Parameters: account id, change of balance. */
    String applyToBalance() {
        return "INSERT INTO " + balances + " (account_id, balance_cents, events) VALUES (?, ?, 1)"
                + " ON CONFLICT (account_id) DO UPDATE SET balance_cents = " + balances + ".balance_cents"
                + " + excluded.balance_cents, events = " + balances + ".events + 1";
    }

    String countProjectedEvents() {
        return "SELECT coalesce(sum(events), 0) FROM " + balances;
    }

    /** Parameters: consumer, position. */
    String saveCheckpoint() {
        return "INSERT INTO " + checkpoints + " (consumer, position) VALUES (?, ?)"
                + " ON CONFLICT (consumer) DO UPDATE SET position = excluded.position";
    }

    List<String> createTables() {
        boolean sqlite = dialect == Dialect.SQLITE;
        if (shape == Shape.LEAN) {
            return List.of("CREATE TABLE IF NOT EXISTS " + events + " ("
                            + (sqlite ? "position INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL, "
                            + "event_id TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL, "
                            : "position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream TEXT NOT NULL, "
                            + "version INTEGER NOT NULL, event_id UUID NOT NULL, type TEXT NOT NULL, payload JSONB NOT NULL, ")
                            + "UNIQUE (stream, version), UNIQUE (event_id))",
                    "CREATE TABLE IF NOT EXISTS " + snapshots + " (stream TEXT PRIMARY KEY, version INTEGER NOT NULL, "
                            + "payload " + (sqlite ? "TEXT NOT NULL) WITHOUT ROWID" : "JSONB NOT NULL)"));
        }
        if (sqlite) {
            return List.of("CREATE TABLE IF NOT EXISTS " + events + " ("
                            + "position INTEGER PRIMARY KEY, category TEXT NOT NULL, stream_id TEXT NOT NULL, "
                            + "version INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, "
                            + "schema_version INTEGER NOT NULL, payload TEXT NOT NULL, metadata TEXT, "
                            + "recorded_at INTEGER NOT NULL, "
                            + "UNIQUE (category, stream_id, version), UNIQUE (event_id))",
                    "CREATE TABLE IF NOT EXISTS " + snapshots + " ("
                            + "category TEXT NOT NULL, stream_id TEXT NOT NULL, version INTEGER NOT NULL, "
                            + "schema_version INTEGER NOT NULL, payload TEXT NOT NULL, taken_at INTEGER NOT NULL, "
                            + "PRIMARY KEY (category, stream_id)) WITHOUT ROWID");
        }
        return List.of("CREATE TABLE IF NOT EXISTS " + events + " ("
                        + "position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, category TEXT NOT NULL, "
                        + "stream_id TEXT NOT NULL, version BIGINT NOT NULL, event_id UUID NOT NULL, type TEXT NOT NULL, "
                        + "schema_version INTEGER NOT NULL, payload JSONB NOT NULL, metadata JSONB NOT NULL DEFAULT '{}', "
                        + "recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
                        + "UNIQUE (category, stream_id, version), UNIQUE (event_id))",
                "CREATE INDEX IF NOT EXISTS " + categoryIndex + " ON " + events + " (category, position)",
                "CREATE TABLE IF NOT EXISTS " + snapshots + " ("
                        + "category TEXT NOT NULL, stream_id TEXT NOT NULL, version BIGINT NOT NULL, "
                        + "schema_version INTEGER NOT NULL, payload JSONB NOT NULL, taken_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
                        + "PRIMARY KEY (category, stream_id))");
    }

    /** Parameters: the stream. */
    String streamVersion() {
        return "SELECT coalesce(max(version), 0) FROM " + events + " WHERE " + streamIs;
    }

    /**
     * Lean: stream, version, event id, type, payload. Relato's shape: category, stream id, version, event id, type,
     * schema version, payload, and on SQLite the time recorded.
     */
    String insertEvent() {
        String json = dialect == Dialect.POSTGRES ? "CAST(? AS JSONB)" : "?";
        if (shape == Shape.LEAN) {
            return "INSERT INTO " + events + " (stream, version, event_id, type, payload) VALUES (?, ?, ?, ?, " + json + ")";
        }
        if (dialect == Dialect.SQLITE) {
            return "INSERT INTO " + events + " (category, stream_id, version, event_id, type, schema_version, payload,"
                    + " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        }
        return "INSERT INTO " + events + " (category, stream_id, version, event_id, type, schema_version, payload)"
                + " VALUES (?, ?, ?, ?, ?, ?, " + json + ")";
    }

    /** Columns: position, stream, version, type, payload. */
    String readAll() {
        return "SELECT position, " + (shape == Shape.LEAN ? "stream" : "stream_id") + ", version, type, payload FROM "
                + events + " ORDER BY position";
    }

    /** Parameters: the stream, versions above. Columns: type, payload. */
    String readStream() {
        return "SELECT type, payload FROM " + events + " WHERE " + streamIs + " AND version > ? ORDER BY version";
    }

    /**
     * Lean: stream, version, payload. Relato's shape: category, stream id, version, schema version, payload, and
     * on SQLite the time taken.
     */
    String saveSnapshot() {
        String json = dialect == Dialect.POSTGRES ? "CAST(? AS JSONB)" : "?";
        if (shape == Shape.LEAN) {
            return "INSERT INTO " + snapshots + " (stream, version, payload) VALUES (?, ?, " + json + ")"
                    + " ON CONFLICT (stream) DO UPDATE SET version = excluded.version, payload = excluded.payload";
        }
        String payload = dialect == Dialect.SQLITE ? "?, ?" : json + ", now()";
        return "INSERT INTO " + snapshots + " (category, stream_id, version, schema_version, payload, taken_at)"
                + " VALUES (?, ?, ?, ?, " + payload + ") ON CONFLICT (category, stream_id) DO UPDATE SET"
                + " version = excluded.version, schema_version = excluded.schema_version, payload = excluded.payload,"
                + " taken_at = excluded.taken_at";
    }

    /** Parameters: the stream. Columns: version, payload. */
    String loadSnapshot() {
        return "SELECT version, payload FROM " + snapshots + " WHERE " + streamIs;
    }
}
