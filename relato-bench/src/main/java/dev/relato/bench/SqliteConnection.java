package dev.relato.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * One SQLite connection behind a lock, configured as Relato's SQLite store configures its own (WAL, synchronous
 * NORMAL, in-memory temporary storage): the usual way to write SQLite from several threads without "database
 * is locked". Each unit of work runs in its own transaction, {@code BEGIN IMMEDIATE} for a writer, or in auto-commit
 * mode. Thread-safe.
 */
final class SqliteConnection implements JdbcSubject.Connections, AutoCloseable {
    private final Connection connection;
    private final String begin;
    private final ReentrantLock lock = new ReentrantLock();

    private SqliteConnection(Connection connection, String begin) {
        this.connection = connection;
        this.begin = begin;
    }

    /** A connection for writes: each transaction takes the write lock first. */
    static SqliteConnection writer(Path file) {
        return open(file, "BEGIN IMMEDIATE");
    }

    /** A connection for reads. */
    static SqliteConnection reader(Path file) {
        return open(file, "BEGIN");
    }

    private static SqliteConnection open(Path file, String begin) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        config.setBusyTimeout(30_000);
        try {
            return new SqliteConnection(config.createConnection("jdbc:sqlite:" + file), begin);
        } catch (SQLException e) {
            throw new JdbcSubject.JdbcFailure("cannot open " + file, e);
        }
    }

    @Override
    public <T> T run(JdbcSubject.SqlWork<T> work) {
        lock.lock();
        try (Statement statement = connection.createStatement()) {
            statement.execute(begin);
            try {
                T result = work.run(connection);
                statement.execute("COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                statement.execute("ROLLBACK");
                throw e;
            }
        } catch (SQLException e) {
            throw new JdbcSubject.JdbcFailure("SQLite work failed", e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs work on the connection in SQLite's auto-commit mode: each statement is a transaction of its own. */
    @Override
    public <T> T autoCommitted(JdbcSubject.SqlWork<T> work) {
        lock.lock();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new JdbcSubject.JdbcFailure("SQLite work failed", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws SQLException {
        lock.lock();
        try {
            connection.close();
        } finally {
            lock.unlock();
        }
    }
}
