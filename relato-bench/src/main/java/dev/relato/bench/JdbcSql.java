package dev.relato.bench;

import java.util.List;

/**
 * Every SQL statement of the plain-JDBC twin, for one dialect, schema and table prefix. The tables have the
 * shape of Relato's: one row per event with the same envelope columns, a global position, a unique (category,
 * stream, version), a unique event id and, on PostgreSQL, the same (category, position) index; one snapshot row
 * per stream. Identifiers come only from the prefix the
 * harness picks; values are always bound. Immutable and thread-safe.
 */
final class JdbcSql {
    /** The database engine. */
    enum Dialect { SQLITE, POSTGRES }

    final Dialect dialect;
    final String events;
    final String snapshots;

    final String categoryIndex;
    /** The W6 read model: balance and event count per account. */
    final String balances;
    final String checkpoints;

    /**
     * @param schema the schema qualifying the tables; empty for none
     * @param prefix the prefix of the table names
     */
    JdbcSql(Dialect dialect, String schema, String prefix) {
        String identifier = "[a-z_][a-z0-9_]*";
        if (!prefix.matches(identifier) || !(schema.isEmpty() || schema.matches(identifier))) {
            throw new IllegalArgumentException("bad schema '" + schema + "' or table prefix '" + prefix + "'");
        }
        String qualifier = schema.isEmpty() ? "" : schema + ".";
        this.dialect = dialect;
        this.events = qualifier + prefix + "events";
        this.snapshots = qualifier + prefix + "snapshots";
        this.categoryIndex = prefix + "events_category_position_idx";
        this.balances = qualifier + prefix + "balances";
        this.checkpoints = qualifier + prefix + "checkpoints";
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
        if (dialect == Dialect.SQLITE) {
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

    String streamVersion() {
        return "SELECT coalesce(max(version), 0) FROM " + events + " WHERE category = ? AND stream_id = ?";
    }

    /** Parameters: category, stream id, version, event id, type, schema version, payload, recorded at (SQLite). */
    String insertEvent() {
        if (dialect == Dialect.SQLITE) {
            return "INSERT INTO " + events + " (category, stream_id, version, event_id, type, schema_version, payload,"
                    + " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        }
        return "INSERT INTO " + events + " (category, stream_id, version, event_id, type, schema_version, payload)"
                + " VALUES (?, ?, ?, ?, ?, ?, CAST(? AS JSONB))";
    }

    String readAll() {
        return "SELECT position, stream_id, version, type, payload FROM " + events + " ORDER BY position";
    }

    /** Parameters: category, stream id, versions above. */
    String readStream() {
        return "SELECT type, payload FROM " + events + " WHERE category = ? AND stream_id = ? AND version > ?"
                + " ORDER BY version";
    }

    /** Parameters: category, stream id, version, schema version, payload, taken at (SQLite). */
    String saveSnapshot() {
        String payload = dialect == Dialect.SQLITE ? "?, ?" : "CAST(? AS JSONB), now()";
        return "INSERT INTO " + snapshots + " (category, stream_id, version, schema_version, payload, taken_at)"
                + " VALUES (?, ?, ?, ?, " + payload + ") ON CONFLICT (category, stream_id) DO UPDATE SET"
                + " version = excluded.version, schema_version = excluded.schema_version, payload = excluded.payload,"
                + " taken_at = excluded.taken_at";
    }

    String loadSnapshot() {
        return "SELECT version, payload FROM " + snapshots + " WHERE category = ? AND stream_id = ?";
    }
}
