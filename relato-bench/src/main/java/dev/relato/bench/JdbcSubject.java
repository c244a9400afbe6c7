package dev.relato.bench;

import dev.relato.StreamId;
import dev.relato.serialization.JacksonEventCodec;
import dev.relato.serialization.RegisteredType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Plain JDBC on the same database as Relato: what an application would write by hand, with the same
 * {@link JacksonEventCodec} and event classes. Two peers, by the shape of their tables ({@link JdbcSql.Shape}):
 *
 * <ul>
 *   <li><b>lean</b> ({@link Backend#JDBC}): the leanest correct code. A single-event append is one autocommitted
 *       {@code INSERT} of version expected + 1, with no read before it: the unique (stream, version) constraint
 *       refuses it if the stream moved on, and only then is the stream's version read, to report the conflict. A
 *       batch is one transaction of batched inserts. Point reads are plain autocommitted {@code SELECT}s.</li>
 *   <li><b>Relato's shape</b> ({@link Backend#JDBC_WIDE}): every append is one transaction that reads
 *       {@code max(version)} of the stream, compares it with the expected one and inserts the events batched
 *       (the unique constraint catches a concurrent writer that passed the same check); reads run in
 *       transactions.</li>
 * </ul>
 *
 * The global read is one {@code SELECT … ORDER BY position} with a fetch size, in a transaction (pgjdbc only
 * streams with auto-commit off). Thread-safe as far as its {@link Connections} are; SQL failures throw
 * {@link JdbcFailure}.
 */
final class JdbcSubject implements Subject {
    private static final int FETCH_SIZE = 1000;
    /** SQLite's primary result code of a constraint violation. */
    private static final int SQLITE_CONSTRAINT = 19;

    private final JdbcSql sql;
    private final boolean lean;
    private final Connections writes;
    private final Connections reads;
    private final AutoCloseable owner;
    private final JacksonEventCodec codec = new JacksonEventCodec();
    private final Map<Class<?>, String> typeNames = new HashMap<>();
    private final Map<String, Class<?>> classes = new HashMap<>();
    private final Account account = new Account();

    /**
     * @param writes where appends and snapshot saves run
     * @param reads  where reads run
     * @param owner  closed with this subject
     */
    JdbcSubject(JdbcSql sql, Connections writes, Connections reads, AutoCloseable owner) {
        this.sql = Objects.requireNonNull(sql, "sql");
        this.lean = sql.shape == JdbcSql.Shape.LEAN;
        this.writes = Objects.requireNonNull(writes, "writes");
        this.reads = Objects.requireNonNull(reads, "reads");
        this.owner = Objects.requireNonNull(owner, "owner");
        for (RegisteredType type : Account.TYPES.all()) {
            typeNames.put(type.eventClass(), type.name());
            classes.put(type.name(), type.eventClass());
        }
    }

    /** Creates the tables if absent: the events, snapshots, and the W6 read model with its checkpoints. */
    JdbcSubject createTables() {
        writes.run(connection -> {
            try (Statement statement = connection.createStatement()) {
                for (String ddl : sql.createTables()) {
                    statement.execute(ddl);
                }
                for (String ddl : sql.createReadModel()) {
                    statement.execute(ddl);
                }
            }
            return null;
        });
        return this;
    }

    @Override
    public String kind() {
        return lean ? Backend.JDBC : Backend.JDBC_WIDE;
    }

    @Override
    public long append(StreamId stream, long expectedVersion, List<AccountEvent> events) throws VersionConflict {
        return lean ? appendLean(stream, expectedVersion, events) : appendChecked(stream, expectedVersion, events);
    }

    private long appendLean(StreamId stream, long expectedVersion, List<AccountEvent> events) throws VersionConflict {
        SqlWork<Void> insert = connection -> {
            insert(connection, stream, expectedVersion, events);
            return null;
        };
        try {
            if (events.size() == 1) {
                writes.autoCommitted(insert);
            } else {
                writes.run(insert);
            }
            return expectedVersion + events.size();
        } catch (JdbcFailure e) {
            if (!isUniqueViolation(e.getCause())) {
                throw e;
            }
            long actual = reads.autoCommitted(connection -> version(connection, stream));
            if (actual == expectedVersion) {
                throw e; // the version was free: an event id was taken
            }
            throw new VersionConflict(actual);
        }
    }

    private long appendChecked(StreamId stream, long expectedVersion, List<AccountEvent> events)
            throws VersionConflict {
        long actual;
        try {
            actual = writes.run(connection -> {
                long current = version(connection, stream);
                if (current == expectedVersion) {
                    insert(connection, stream, expectedVersion, events);
                }
                return current;
            });
        } catch (JdbcFailure e) {
            if (!isUniqueViolation(e.getCause())) {
                throw e;
            }
            actual = reads.run(connection -> version(connection, stream));
        }
        if (actual != expectedVersion) {
            throw new VersionConflict(actual);
        }
        return expectedVersion + events.size();
    }

    private long version(Connection connection, StreamId stream) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql.streamVersion())) {
            sql.bindStream(select, 1, stream);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void insert(Connection connection, StreamId stream, long expectedVersion, List<AccountEvent> events)
            throws SQLException {
        boolean sqlite = sql.dialect == JdbcSql.Dialect.SQLITE;
        long now = sqlite && !lean ? epochNanos(Instant.now()) : 0;
        try (PreparedStatement insert = connection.prepareStatement(sql.insertEvent())) {
            long version = expectedVersion;
            for (AccountEvent event : events) {
                int i = sql.bindStream(insert, 1, stream);
                insert.setLong(i++, ++version);
                if (sqlite) {
                    insert.setString(i++, UUID.randomUUID().toString());
                } else {
                    insert.setObject(i++, UUID.randomUUID());
                }
                insert.setString(i++, typeNames.get(event.getClass()));
                if (!lean) {
                    insert.setInt(i++, 1);
                }
                insert.setString(i++, codec.encode(event));
                if (sqlite && !lean) {
                    insert.setLong(i, now);
                }
                if (events.size() == 1) {
                    insert.executeUpdate();
                } else {
                    insert.addBatch();
                }
            }
            if (events.size() > 1) {
                insert.executeBatch();
            }
        }
    }

    @Override
    public long readAll() {
        return reads.run(connection -> {
            long count = 0;
            try (PreparedStatement select = connection.prepareStatement(sql.readAll())) {
                select.setFetchSize(FETCH_SIZE);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        long position = rs.getLong(1);
                        String streamId = rs.getString(2);
                        long version = rs.getLong(3);
                        Object event = codec.decode(rs.getString(5), classes.get(rs.getString(4)));
                        Blackhole.consume(event);
                        Blackhole.consume(streamId);
                        count += position > 0 && version > 0 ? 1 : 0;
                    }
                }
            }
            return count;
        });
    }

    @Override
    public Account.State load(StreamId stream) {
        return pointReads().run(connection -> fold(connection, stream, 0, account.initialState()));
    }

    /** Where single-stream reads run: lean code reads without a transaction. */
    private Connections pointReads() {
        return lean ? reads::autoCommitted : reads;
    }

    private Account.State fold(Connection connection, StreamId stream, long afterVersion, Account.State initial)
            throws SQLException {
        return fold(connection, stream, afterVersion, initial, new long[1]);
    }

    /**
     * The state folded from the events after {@code afterVersion}; {@code version[0]} becomes the version of the
     * last one (the stream has no gaps, so it is {@code afterVersion} plus the events read).
     */
    private Account.State fold(Connection connection, StreamId stream, long afterVersion, Account.State initial,
                               long[] version) throws SQLException {
        Account.State state = initial;
        long at = afterVersion;
        try (PreparedStatement select = connection.prepareStatement(sql.readStream())) {
            int i = sql.bindStream(select, 1, stream);
            select.setLong(i, afterVersion);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    AccountEvent event = (AccountEvent) codec.decode(rs.getString(2), classes.get(rs.getString(1)));
                    state = account.evolve(state, event);
                    at++;
                }
            }
        }
        version[0] = at;
        return state;
    }

    /**
     * The leanest command handler: fold the stream, decide, insert at the next version; a taken version (the
     * unique violation) means another writer got there first, so start again from a fresh fold, at once.
     * Relato's table shape appends as {@link #append} does.
     */
    @Override
    public long handle(StreamId stream, Account.Command command) {
        for (long conflicts = 0; ; conflicts++) {
            long[] version = new long[1];
            Account.State state = pointReads().run(connection -> fold(connection, stream, 0, account.initialState(),
                    version));
            List<AccountEvent> events = account.decide(command, state);
            try {
                if (!lean) {
                    appendChecked(stream, version[0], events);
                } else if (events.size() == 1) {
                    writes.autoCommitted(connection -> insertNone(connection, stream, version[0], events));
                } else {
                    writes.run(connection -> insertNone(connection, stream, version[0], events));
                }
                return conflicts;
            } catch (VersionConflict e) {
                // another writer got there first: fold again
            } catch (JdbcFailure e) {
                if (!isUniqueViolation(e.getCause())) {
                    throw e;
                }
            }
        }
    }

    private Void insertNone(Connection connection, StreamId stream, long expectedVersion, List<AccountEvent> events)
            throws SQLException {
        insert(connection, stream, expectedVersion, events);
        return null;
    }

    @Override
    public void snapshot(StreamId stream) {
        long[] version = new long[1];
        Account.State state = reads.run(connection -> {
            version[0] = version(connection, stream);
            return fold(connection, stream, 0, account.initialState());
        });
        writes.run(connection -> {
            try (PreparedStatement save = connection.prepareStatement(sql.saveSnapshot())) {
                int i = sql.bindStream(save, 1, stream);
                save.setLong(i++, version[0]);
                if (!lean) {
                    save.setInt(i++, 1);
                }
                save.setString(i++, codec.encode(state));
                if (!lean && sql.dialect == JdbcSql.Dialect.SQLITE) {
                    save.setLong(i, epochNanos(Instant.now()));
                }
                save.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Account.State loadFromSnapshot(StreamId stream) {
        return pointReads().run(connection -> {
            long version = 0;
            Account.State state = account.initialState();
            try (PreparedStatement select = connection.prepareStatement(sql.loadSnapshot())) {
                sql.bindStream(select, 1, stream);
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        version = rs.getLong(1);
                        state = codec.decode(rs.getString(2), Account.State.class);
                    }
                }
            }
            return fold(connection, stream, version, state);
        });
    }

    /**
     * The read model built as a plain-JDBC application would: one {@code SELECT … ORDER BY position} with a fetch
     * size, decoded, and applied in transactions of {@value RelatoSubject#PROJECTION_BATCH} events that also
     * save the position reached.
     */
    @Override
    public long project(String name) {
        writes.run(connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate(sql.clearReadModel());
            }
            return null;
        });
        reads.run(connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql.readAll())) {
                select.setFetchSize(FETCH_SIZE);
                try (ResultSet rs = select.executeQuery()) {
                    List<AccountEvent> batch = new ArrayList<>(RelatoSubject.PROJECTION_BATCH);
                    long position = 0;
                    boolean more = true;
                    while (more) {
                        more = rs.next();
                        if (more) {
                            position = rs.getLong(1);
                            batch.add((AccountEvent) codec.decode(rs.getString(5), classes.get(rs.getString(4))));
                        }
                        if (batch.size() == RelatoSubject.PROJECTION_BATCH || (!more && !batch.isEmpty())) {
                            applyBatch(name, batch, position);
                            batch.clear();
                        }
                    }
                }
            }
            return null;
        });
        return reads.run(connection -> {
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(sql.countProjectedEvents())) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private void applyBatch(String name, List<AccountEvent> batch, long position) {
        writes.run(connection -> {
            try (PreparedStatement apply = connection.prepareStatement(sql.applyToBalance());
                 PreparedStatement checkpoint = connection.prepareStatement(sql.saveCheckpoint())) {
                for (AccountEvent event : batch) {
                    apply.setString(1, event.accountId());
                    apply.setLong(2, ReadModel.balanceChange(event));
                    apply.executeUpdate();
                }
                checkpoint.setString(1, name);
                checkpoint.setLong(2, position);
                checkpoint.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close the plain-JDBC peer", e);
        }
    }

    private static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (SQLException s = t instanceof SQLException e ? e : null; s != null; s = s.getNextException()) {
                if ("23505".equals(s.getSQLState()) || (s.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    @Override
    public String toString() {
        return "plain JDBC (" + sql.shape + ") on " + sql.dialect + " (" + sql.events + ")";
    }

    /** Work on a connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs work on connections. Thread-safe. */
    @FunctionalInterface
    interface Connections {
        /**
         * Runs {@code work} in one transaction: committed if it returns, rolled back if it throws.
         *
         * @throws JdbcFailure wrapping a SQL failure, after the rollback
         */
        <T> T run(SqlWork<T> work);

        /**
         * Runs {@code work} with auto-commit on: each statement commits by itself. By default in a transaction.
         *
         * @throws JdbcFailure wrapping a SQL failure
         */
        default <T> T autoCommitted(SqlWork<T> work) {
            return run(work);
        }
    }

    /** A SQL failure of the plain-JDBC peers. */
    static final class JdbcFailure extends RuntimeException {
        JdbcFailure(String message, SQLException cause) {
            super(message + ": " + cause.getMessage(), cause);
        }
    }
}
