package dev.relato.sqlite;

import dev.relato.ErrorClassifier;
import dev.relato.RelatoException;
import dev.relato.SchemaPolicy;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.observe.RelatoObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The connections to one SQLite file for one table prefix: a single write connection behind a fair lock,
 * on which every write runs as a {@code BEGIN IMMEDIATE} transaction, and a small pool of read connections,
 * which WAL mode lets read concurrently with the writer. Creates or migrates the schema when opened.
 * Thread-safe.
 *
 * <p>Within one process the lock orders writers, so SQLite never reports a busy database to them; between
 * processes, {@code BEGIN IMMEDIATE} takes SQLite's write lock before anything is read, and the busy timeout
 * makes it wait for another process' transaction instead of failing. Only a lock held longer than the busy
 * timeout surfaces, as {@link StoreUnavailableException}. Every SQLite failure is classified by
 * {@link SqliteErrors}: transient ones as {@link StoreUnavailableException}, the rest as
 * {@link StoreFailureException}.
 */
final class SqliteDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabase.class);
    /** The most writes one group commit takes. */
    private static final int MAX_GROUP = 256;

    /** Work on a connection that only throws SQL failures. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(SqliteSession session) throws SQLException;
    }

    private final Path path;
    private final SqliteSql sql;
    private final String url;
    private final SQLiteConfig writerConfig;
    private final SQLiteConfig readerConfig;
    private final SqliteErrors errors;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final ConcurrentLinkedQueue<GroupedWrite<?>> pendingWrites = new ConcurrentLinkedQueue<>();
    private final int readConnections;
    private final Semaphore readPermits;
    private final ConcurrentLinkedDeque<SqliteSession> idleReaders = new ConcurrentLinkedDeque<>();
    private SqliteSession writer; // guarded by writeLock; null after a failure until the next write reopens it
    private long lastRecordedAt; // guarded by writeLock
    private final RelatoObserver observer;
    private volatile boolean closed;

    private SqliteDatabase(Path path, SqliteSql sql, SqliteEventStore.Synchronous synchronous, Duration busyTimeout,
                           int readConnections, ErrorClassifier classifier, RelatoObserver observer) {
        this.path = path;
        this.observer = observer;
        this.sql = sql;
        this.url = "jdbc:sqlite:" + path;
        this.errors = new SqliteErrors(path, busyTimeout, classifier);
        this.readConnections = readConnections;
        this.readPermits = new Semaphore(readConnections, true);
        this.writerConfig = baseConfig(busyTimeout);
        this.writerConfig.setJournalMode(SQLiteConfig.JournalMode.WAL);
        this.writerConfig.setSynchronous(synchronous == SqliteEventStore.Synchronous.FULL
                ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        this.readerConfig = baseConfig(busyTimeout);
    }

    private static SQLiteConfig baseConfig(Duration busyTimeout) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        config.setGetGeneratedKeys(false);
        // The schema has no foreign keys: the log refers to nothing, snapshots and checkpoints refer by value.
        config.enforceForeignKeys(false);
        return config;
    }

    /**
     * Opens the file (creating it if absent), switches it to WAL mode and creates or migrates the schema.
     *
     * @throws StoreFailureException     naming the path and what to check, if it cannot be opened
     * @throws StoreUnavailableException if it cannot be opened now for a transient reason (a lock held by another
     *                                   process beyond the busy timeout, a full disk)
     */
    static SqliteDatabase open(Path file, SqliteSql sql, SqliteEventStore.Synchronous synchronous, Duration busyTimeout,
                               int readConnections, ErrorClassifier classifier, SchemaPolicy schemaPolicy, RelatoObserver observer) {
        Path path = file.toAbsolutePath().normalize();
        checkPath(path);
        SqliteDatabase db = new SqliteDatabase(path, sql, synchronous, busyTimeout, readConnections, classifier,
                observer);
        try {
            db.writer = db.openSession(db.writerConfig);
            db.checkJournalMode();
            switch (schemaPolicy) {
                case MIGRATE -> db.migrate();
                case VALIDATE -> db.validateSchema();
                case EXTERNAL -> LOG.debug("SQLite event store at {}: schema left to an external tool", path);
            }
        } catch (IllegalStateException e) {
            db.close();
            throw new StoreFailureException("cannot open the SQLite event store at '" + path + "': "
                    + e.getMessage(), e);
        } catch (SQLException | RuntimeException e) {
            db.close();
            RelatoException failure = e instanceof SQLException sqlFailure ? db.failure("opening", sqlFailure)
                    : e instanceof RelatoException relato ? relato : new StoreFailureException(e.toString(), e);
            String message = "cannot open the SQLite event store at '" + path + "': " + e.getMessage()
                    + ". Check that the file is a SQLite database (or absent), and that it and its directory are "
                    + "writable by this process";
            throw failure instanceof StoreUnavailableException ? new StoreUnavailableException(message, e)
                    : new StoreFailureException(message, e);
        }
        LOG.debug("opened SQLite event store at {} (table prefix '{}')", path, sql.prefix);
        return db;
    }

    private static void checkPath(Path path) {
        if (Files.isDirectory(path)) {
            throw new StoreFailureException("cannot open the SQLite event store at '" + path + "': it is a "
                    + "directory; give the path of a database file inside it, such as '" + path.resolve("events.db")
                    + "'", null);
        }
        Path dir = path.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new StoreFailureException("cannot open the SQLite event store at '" + path + "': the directory '"
                    + dir + "' does not exist; create it first or choose another path", null);
        }
    }

    private SqliteSession openSession(SQLiteConfig config) throws SQLException {
        Connection connection = config.createConnection(url);
        return new SqliteSession(connection);
    }

    private void checkJournalMode() throws SQLException {
        try (ResultSet rs = writer.prepare(SqliteSql.JOURNAL_MODE).executeQuery()) {
            String mode = rs.next() ? rs.getString(1) : "unknown";
            if (!"wal".equalsIgnoreCase(mode)) {
                LOG.warn("SQLite database {} runs in journal mode '{}' instead of WAL (is it on a network file "
                        + "system?); readers and the writer will block each other", path, mode);
            }
        }
    }

    /** Refuses a file whose tables are not at {@link SqliteSql#SCHEMA_VERSION}, with the fix in the message. */
    private void validateSchema() throws SQLException {
        int current = 0;
        PreparedStatement exists = writer.prepare(SqliteSql.TABLE_EXISTS);
        exists.setString(1, sql.migrationsTable);
        try (ResultSet rs = exists.executeQuery()) {
            if (rs.next()) {
                try (ResultSet version = writer.prepare(sql.currentSchemaVersion()).executeQuery()) {
                    current = version.next() ? version.getInt(1) : 0;
                }
            }
        }
        if (current != SqliteSql.SCHEMA_VERSION) {
            throw new IllegalStateException("its tables with prefix '" + sql.prefix + "' have schema version "
                    + current + " and this library needs version " + SqliteSql.SCHEMA_VERSION
                    + (current < SqliteSql.SCHEMA_VERSION
                    ? "; open it once with schemaPolicy(SchemaPolicy.MIGRATE) to migrate it"
                    : "; use a newer Relato"));
        }
    }

    private void migrate() {
        write("schema migration", session -> {
            session.execute(sql.createMigrationsTable());
            int current;
            try (ResultSet rs = session.prepare(sql.currentSchemaVersion()).executeQuery()) {
                current = rs.next() ? rs.getInt(1) : 0;
            }
            if (current > SqliteSql.SCHEMA_VERSION) {
                throw new IllegalStateException("its tables with prefix '" + sql.prefix + "' have schema version "
                        + current + ", newer than the version " + SqliteSql.SCHEMA_VERSION
                        + " this library knows; use a newer Relato");
            }
            List<List<String>> migrations = sql.migrations();
            for (int version = current + 1; version <= SqliteSql.SCHEMA_VERSION; version++) {
                for (String statement : migrations.get(version - 1)) {
                    session.execute(statement);
                }
                PreparedStatement record = session.prepare(sql.recordMigration());
                record.setInt(1, version);
                record.setLong(2, System.currentTimeMillis());
                record.executeUpdate();
                LOG.info("SQLite event store at {}: applied schema version {} (table prefix '{}')", path, version,
                        sql.prefix);
            }
            return null;
        });
    }

    Path path() {
        return path;
    }

    SqliteSql sql() {
        return sql;
    }

    /**
     * Runs {@code work} in a {@code BEGIN IMMEDIATE} transaction on the write connection, holding the write
     * lock; commits if it returns, rolls back if it throws. Runtime exceptions pass through unchanged, SQL
     * failures become {@link StoreUnavailableException}.
     *
     * @throws IllegalStateException if the calling thread is already inside a write transaction of this file
     */
    <T> T write(String what, SqlWork<T> work) {
        checkNotNested(what);
        writeLock.lock();
        try {
            checkOpen();
            SqliteSession session = writerSession(what);
            try {
                session.execute(SqliteSql.BEGIN_IMMEDIATE);
            } catch (SQLException e) {
                throw failure(what + " could not start a write transaction", e);
            }
            boolean committed = false;
            try {
                T result = work.run(session);
                session.execute(SqliteSql.COMMIT);
                committed = true;
                return result;
            } catch (RuntimeException e) {
                throw e;
            } catch (SQLException e) {
                throw failure(what, e);
            } finally {
                if (!committed) {
                    rollback(session);
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Runs {@code work} like {@link #write}; but on a thread already inside a write transaction of this file, runs it
     * in that transaction, whose commit or rollback it then shares.
     */
    <T> T writeOrJoin(String what, SqlWork<T> work) {
        if (!writeLock.isHeldByCurrentThread()) {
            return write(what, work);
        }
        try {
            return work.run(writerSession(what));
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private void checkNotNested(String what) {
        if (writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException(what + " was called inside a transaction of the same SQLite store, on "
                    + "the same thread; use the SqliteTransaction handed to the transaction's work instead");
        }
    }

    /**
     * Runs {@code work} like {@link #write}, but lets it share one transaction, and so one commit, with the works
     * other threads queued while the write connection was busy (group commit). Whichever thread gets the write
     * lock runs every queued work, each in its own savepoint: a work that throws is undone alone and its caller
     * gets its exception, the others go on. If the commit fails, every work of the group fails with
     * {@link StoreUnavailableException} and none of them is stored. The work may run on another caller's thread.
     */
    <T> T writeGrouped(String what, SqlWork<T> work) {
        checkNotNested(what);
        GroupedWrite<T> mine = new GroupedWrite<>(what, work);
        pendingWrites.add(mine);
        writeLock.lock();
        try {
            while (!mine.done) {
                if (closed) {
                    pendingWrites.remove(mine);
                    checkOpen();
                }
                commitGroup();
            }
        } finally {
            writeLock.unlock();
        }
        observed(mine);
        return mine.outcome();
    }

    /**
     * Runs {@code work} in a savepoint of the session's transaction, so that if it throws, its changes alone are
     * undone and the transaction goes on.
     *
     * @throws TransactionBrokenException if the undo failed: the transaction must be rolled back entirely
     */
    static <T> T inSavepoint(SqliteSession session, SqlWork<T> work) throws SQLException {
        session.execute(SqliteSql.SAVEPOINT);
        T result;
        try {
            result = work.run(session);
        } catch (RuntimeException | SQLException | Error e) {
            try {
                session.execute(SqliteSql.ROLLBACK_TO_SAVEPOINT);
                session.execute(SqliteSql.RELEASE_SAVEPOINT);
            } catch (SQLException undo) {
                TransactionBrokenException broken = new TransactionBrokenException(undo);
                broken.addSuppressed(e);
                throw broken;
            }
            throw e;
        }
        session.execute(SqliteSql.RELEASE_SAVEPOINT);
        return result;
    }

    /** A failed write could not be undone on its own: its whole transaction must be rolled back. */
    static final class TransactionBrokenException extends SQLException {
        TransactionBrokenException(SQLException cause) {
            super("a failed write could not be undone alone, so its whole transaction must be rolled back: "
                    + cause.getMessage(), cause);
        }
    }

    /**
     * Marks the start of {@code group}'s transaction on its writes, for {@link #observed(GroupedWrite)}: under the
     * write lock, nothing is told to the observer, so that its work does not hold up the single writer.
     */
    private void started(List<GroupedWrite<?>> group) {
        if (observer == RelatoObserver.none() || group.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (GroupedWrite<?> w : group) {
            w.started = true;
            w.startedAt = now;
        }
        group.get(0).groupSize = group.size();
    }

    /**
     * Tells the observer, on the appending thread after the write lock is released, how long {@code write} waited in
     * the queue and, for the first write of its group, the size of the group commit.
     */
    private void observed(GroupedWrite<?> write) {
        if (!write.started) {
            return;
        }
        if (write.groupSize > 0) {
            observer.groupCommit(SqliteEventStore.STORE, write.groupSize);
        }
        observer.writeQueueWait(SqliteEventStore.STORE, Duration.ofNanos(write.startedAt - write.queuedAt));
    }

    /** How many grouped writes wait for the write lock. */
    int queuedWrites() {
        return pendingWrites.size();
    }

    /** A write queued for a group commit. Its fields are written and read under the write lock. */
    private static final class GroupedWrite<T> {
        final String what;
        final SqlWork<T> work;
        final long queuedAt = System.nanoTime();
        /** Whether its group's transaction began while the store is observed, and when ({@link System#nanoTime}). */
        boolean started;
        long startedAt;
        /** The size of its group commit, on the group's first write; 0 on the others. */
        int groupSize;
        T result;
        RuntimeException failure;
        boolean committed;
        boolean done;

        GroupedWrite(String what, SqlWork<T> work) {
            this.what = what;
            this.work = work;
        }

        Void run(SqliteSession session) throws SQLException {
            result = work.run(session);
            return null;
        }

        T outcome() {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    private void commitGroup() {
        List<GroupedWrite<?>> group = new ArrayList<>();
        GroupedWrite<?> next;
        while (group.size() < MAX_GROUP && (next = pendingWrites.poll()) != null) {
            group.add(next);
        }
        started(group);
        try {
            runGroup(group);
        } catch (RuntimeException e) {
            for (GroupedWrite<?> w : group) {
                if (w.failure == null) {
                    w.failure = e;
                }
            }
        } finally {
            for (GroupedWrite<?> w : group) {
                if (!w.committed && w.failure == null) {
                    w.failure = new StoreUnavailableException(w.what + " on SQLite database '" + path + "' failed: the "
                            + "write transaction it shared ended abnormally; nothing of it was stored", null);
                }
                w.done = true;
            }
        }
    }

    private void runGroup(List<GroupedWrite<?>> group) {
        String what = group.get(0).what;
        SqliteSession session = writerSession(what);
        try {
            session.execute(SqliteSql.BEGIN_IMMEDIATE);
        } catch (SQLException e) {
            throw failure(what + " could not start a write transaction", e);
        }
        boolean single = group.size() == 1;
        boolean committed = false;
        try {
            for (GroupedWrite<?> w : group) {
                try {
                    if (single) {
                        w.run(session);
                    } else {
                        inSavepoint(session, w::run);
                    }
                } catch (TransactionBrokenException e) {
                    throw e;
                } catch (RuntimeException | SQLException e) {
                    w.failure = e instanceof SQLException sqlFailure ? failure(w.what, sqlFailure) : (RuntimeException) e;
                }
            }
            if (single && group.get(0).failure != null) {
                return; // rolled back below
            }
            session.execute(SqliteSql.COMMIT);
            committed = true;
            for (GroupedWrite<?> w : group) {
                w.committed = w.failure == null;
            }
        } catch (SQLException e) {
            for (GroupedWrite<?> w : group) {
                if (w.failure == null) {
                    w.failure = failure(w.what, e);
                }
            }
        } finally {
            if (!committed) {
                rollback(session);
            }
        }
    }

    private SqliteSession writerSession(String what) {
        if (writer == null) {
            try {
                writer = openSession(writerConfig);
            } catch (SQLException e) {
                throw failure(what + " could not reopen the write connection", e);
            }
        }
        return writer;
    }

    private void rollback(SqliteSession session) {
        try {
            session.execute(SqliteSql.ROLLBACK);
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("no transaction is active")) {
                return; // SQLite already ended it, as it does after some errors (disk full, I/O error)
            }
            LOG.warn("rolling back a write transaction on {} failed; reopening the write connection: {}", path,
                    e.toString());
            session.close();
            writer = null;
        }
    }

    /** A recorded-at time in epoch nanoseconds, never below the previous one this store wrote. */
    long nextRecordedAt() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        lastRecordedAt = Math.max(lastRecordedAt, nanos);
        return lastRecordedAt;
    }

    /**
     * Runs {@code work} on a read connection of the pool; waits for one if all are in use. SQL failures become
     * {@link StoreUnavailableException} and the connection is discarded.
     */
    <T> T read(String what, SqlWork<T> work) {
        checkOpen();
        try {
            readPermits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException(what + " was interrupted waiting for a read connection to " + path, e);
        }
        SqliteSession session = null;
        boolean healthy = false;
        try {
            checkOpen();
            session = idleReaders.pollFirst();
            if (session == null) {
                session = openSession(readerConfig);
                session.execute(SqliteSql.QUERY_ONLY);
            }
            T result = work.run(session);
            healthy = true;
            return result;
        } catch (SQLException e) {
            throw failure(what, e);
        } finally {
            if (session != null) {
                if (healthy && !closed) {
                    idleReaders.offerFirst(session);
                } else {
                    session.close();
                }
            }
            readPermits.release();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the SQLite event store at '" + path + "' is closed");
        }
    }

    /** The exception for a failure of {@code what}, transient or permanent as {@link SqliteErrors} decides. */
    RelatoException failure(String what, SQLException e) {
        return errors.translate(what, e);
    }

    /** As {@link #failure}, for the insert of an append's events: data SQLite refuses is an invalid event. */
    RelatoException appendFailure(String what, SQLException e) {
        return errors.translateAppend(what, e);
    }

    /** Closes every connection; waits for reads and the write in progress to finish. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        readPermits.acquireUninterruptibly(readConnections);
        try {
            SqliteSession idle;
            while ((idle = idleReaders.pollFirst()) != null) {
                idle.close();
            }
        } finally {
            readPermits.release(readConnections);
        }
        writeLock.lock();
        try {
            if (writer != null) {
                writer.close();
                writer = null;
            }
        } finally {
            writeLock.unlock();
        }
        LOG.debug("closed SQLite event store at {}", path);
    }
}
