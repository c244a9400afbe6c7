package dev.relato.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open connection with its prepared statements kept for reuse, so a statement is compiled once per
 * connection. Not thread-safe: used by one thread at a time (the write lock's holder, or the borrower of a read
 * connection).
 */
final class SqliteSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteSession.class);
    private static final int MAX_CACHED_STATEMENTS = 64;

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(32, 0.75f, true);

    SqliteSession(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /** The prepared statement for {@code sql}, compiled on first use; parameters left from a previous use. */
    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
            if (statements.size() > MAX_CACHED_STATEMENTS) {
                Iterator<PreparedStatement> eldest = statements.values().iterator();
                PreparedStatement evicted = eldest.next();
                eldest.remove();
                closeQuietly(evicted);
            }
        }
        return statement;
    }

    /** Runs a statement that returns no rows. */
    void execute(String sql) throws SQLException {
        prepare(sql).execute();
    }

    @Override
    public void close() {
        statements.values().forEach(SqliteSession::closeQuietly);
        statements.clear();
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("closing a SQLite connection failed: {}", e.toString());
        }
    }

    private static void closeQuietly(PreparedStatement statement) {
        try {
            statement.close();
        } catch (SQLException e) {
            LOG.debug("closing a prepared statement failed: {}", e.toString());
        }
    }
}
