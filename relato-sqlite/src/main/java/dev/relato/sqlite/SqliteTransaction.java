package dev.relato.sqlite;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.RecordedEvent;
import dev.relato.RelatoException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The store's write transaction, handed to the work of {@link SqliteEventStore#inTransaction(SqliteTransaction.Work)}.
 * Appends made through it and SQL run on {@link #connection()} commit together when the work returns, or are all
 * rolled back when it throws. {@link SqliteEventStore#boundTo(SqliteTransaction)} makes an
 * {@link dev.relato.EventStore} of it, for repositories working in the transaction ({@code using(...)}).
 *
 * <p><b>Thread safety:</b> not thread-safe: use it only on the thread running the work, and only while the work
 * runs; afterwards every method throws {@link IllegalStateException}. <b>Failures:</b> a failed
 * {@link #append append} (wrong expected version, duplicate event id, bad input, SQLite failure) leaves the
 * transaction as it was before that append, so the work may catch the exception and go on. In the rare case
 * that SQLite cannot undo the failed append alone, the whole transaction is rolled back when the work returns,
 * with a {@link StoreUnavailableException} (or {@link dev.relato.StoreFailureException} if the undo failed
 * permanently).
 */
public final class SqliteTransaction {

    /** Work run inside the transaction. */
    @FunctionalInterface
    public interface Work {
        void run(SqliteTransaction tx) throws Exception;
    }

    /** Work run inside the transaction that computes a result. */
    @FunctionalInterface
    public interface Function<T> {
        T apply(SqliteTransaction tx) throws Exception;
    }

    private static final Set<String> REFUSED = Set.of("commit", "rollback", "setAutoCommit", "abort",
            "setTransactionIsolation", "setReadOnly", "setSavepoint", "releaseSavepoint");

    private final SqliteEventStore store;
    private final SqliteSession session;
    private final Thread owner = Thread.currentThread();
    private final Connection connection;
    private boolean active = true;
    private boolean appended;
    private RelatoException brokenBy;

    /** The event size limit of the store this transaction belongs to. */
    int maxEventBytes() {
        return store.maxEventBytes();
    }

    /** The store this transaction belongs to. */
    SqliteEventStore store() {
        return store;
    }

    SqliteTransaction(SqliteEventStore store, SqliteSession session) {
        this.store = store;
        this.session = session;
        this.connection = guard(session.connection());
    }

    /**
     * Appends inside this transaction, with the same checks and results as {@link SqliteEventStore#append}. The
     * events become visible to other connections when the transaction commits.
     */
    public AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events) {
        checkActive();
        try {
            AppendResult result = store.appendInTransaction(session, stream, expected, events);
            appended |= !result.retried();
            return result;
        } catch (RelatoException e) {
            if (e.getCause() instanceof SqliteDatabase.TransactionBrokenException) {
                brokenBy = e;
            }
            throw e;
        }
    }

    /** The stream's version as this transaction sees it, including its own appends. */
    public long streamVersion(StreamId stream) {
        checkActive();
        try {
            return store.streamVersion(session, stream);
        } catch (SQLException e) {
            throw store.database().failure("version of stream '" + stream + "'", e);
        }
    }

    /**
     * Reads part of one stream as this transaction sees it, including its own appends; as
     * {@link SqliteEventStore#read(StreamId, StreamRead)} otherwise.
     */
    public List<RecordedEvent> read(StreamId stream, StreamRead read) {
        checkActive();
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(read, "read");
        try {
            return store.read(session, stream, read);
        } catch (SQLException e) {
            throw store.database().failure("read of stream '" + stream + "'", e);
        }
    }

    /** A page of the log as this transaction sees it; used by {@link SqliteBoundStore}. */
    List<RecordedEvent> readPage(long afterPosition, EventFilter filter, int max) {
        checkActive();
        try {
            return store.readPage(session, afterPosition, filter, max);
        } catch (SQLException e) {
            throw store.database().failure("read of the log after position " + afterPosition, e);
        }
    }

    /** The head of the log as this transaction sees it; used by {@link SqliteBoundStore}. */
    long headPosition() {
        checkActive();
        try {
            return store.headPosition(session);
        } catch (SQLException e) {
            throw store.database().failure("head position", e);
        }
    }

    /**
     * The transaction's connection, for the caller's own SQL (a read model in the same file, for example). The
     * store commits or rolls back: {@code commit}, {@code rollback}, {@code setAutoCommit} and similar throw
     * {@link SQLException}, {@code close} does nothing. For nested undo, run {@code SAVEPOINT name},
     * {@code ROLLBACK TO name} and {@code RELEASE name} as SQL; never {@code COMMIT}, {@code ROLLBACK} or
     * {@code BEGIN}.
     */
    public Connection connection() {
        checkActive();
        return connection;
    }

    /** The session, for stores of the same file joining this transaction. */
    SqliteSession session(SqliteDatabase db) {
        checkActive();
        if (store.database() != db) {
            throw new IllegalArgumentException("this transaction belongs to " + store + ", not to the store of "
                    + "the SQLite file '" + db.path() + "' (prefix '" + db.sql().prefix + "')");
        }
        return session;
    }

    /** Whether a failed append could not be undone alone, so the transaction must not commit. */
    boolean isBroken() {
        return brokenBy != null;
    }

    RelatoException brokenBy() {
        return brokenBy;
    }

    boolean hasAppended() {
        return appended;
    }

    void end() {
        active = false;
    }

    private void checkActive() {
        if (!active) {
            throw new IllegalStateException("this SQLite transaction has ended; use the transaction only inside the "
                    + "work it was handed to");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("this SQLite transaction belongs to thread '" + owner.getName()
                    + "'; use it only on the thread running the transaction's work");
        }
    }

    private Connection guard(Connection target) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (method.getDeclaringClass() == Object.class) {
                        return objectMethod(proxy, method, args);
                    }
                    if ("close".equals(name)) {
                        return null;
                    }
                    if ("isClosed".equals(name)) {
                        return !active;
                    }
                    if (!active || Thread.currentThread() != owner) {
                        throw new SQLException("this connection belongs to a SQLite transaction that has ended or runs "
                                + "on another thread");
                    }
                    if (REFUSED.contains(name)) {
                        throw new SQLException(name + "() is not allowed on the connection of a SQLite transaction: "
                                + "the store commits when the work returns and rolls back when it throws");
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private Object objectMethod(Object proxy, Method method, Object[] args) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "SqliteTransaction.connection[" + store.path() + "]";
        };
    }
}
