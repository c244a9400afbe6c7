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
 * The plain-JDBC twin of Relato on the same database: what an application would write by hand with the same
 * table shape. An append is one transaction that reads the stream's version, compares it with the expected
 * one and inserts the events with a batched prepared statement (the unique (category, stream, version)
 * constraint catches a concurrent writer that passed the same check). Reads are one
 * {@code SELECT … ORDER BY} with a fetch size, decoded with the same {@link JacksonEventCodec} into the same
 * event classes. Thread-safe as far as its {@link Connections} are; SQL failures throw {@link JdbcFailure}.
 */
final class JdbcSubject implements Subject {
    private static final int FETCH_SIZE = 1000;
    /** SQLite's result code of a constraint violation. */
    private static final int SQLITE_CONSTRAINT = 19;

    private final JdbcSql sql;
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
        return "jdbc";
    }

    @Override
    public long append(StreamId stream, long expectedVersion, List<AccountEvent> events) throws VersionConflict {
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
            select.setString(1, stream.category());
            select.setString(2, stream.id());
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void insert(Connection connection, StreamId stream, long expectedVersion, List<AccountEvent> events)
            throws SQLException {
        boolean sqlite = sql.dialect == JdbcSql.Dialect.SQLITE;
        long now = sqlite ? epochNanos(Instant.now()) : 0;
        try (PreparedStatement insert = connection.prepareStatement(sql.insertEvent())) {
            long version = expectedVersion;
            for (AccountEvent event : events) {
                insert.setString(1, stream.category());
                insert.setString(2, stream.id());
                insert.setLong(3, ++version);
                if (sqlite) {
                    insert.setString(4, UUID.randomUUID().toString());
                } else {
                    insert.setObject(4, UUID.randomUUID());
                }
                insert.setString(5, typeNames.get(event.getClass()));
                insert.setInt(6, 1);
                insert.setString(7, codec.encode(event));
                if (sqlite) {
                    insert.setLong(8, now);
                }
                insert.addBatch();
            }
            insert.executeBatch();
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
        return reads.run(connection -> fold(connection, stream, 0, account.initialState()));
    }

    private Account.State fold(Connection connection, StreamId stream, long afterVersion, Account.State initial)
            throws SQLException {
        Account.State state = initial;
        try (PreparedStatement select = connection.prepareStatement(sql.readStream())) {
            select.setString(1, stream.category());
            select.setString(2, stream.id());
            select.setLong(3, afterVersion);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    AccountEvent event = (AccountEvent) codec.decode(rs.getString(2), classes.get(rs.getString(1)));
                    state = account.evolve(state, event);
                }
            }
        }
        return state;
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
                save.setString(1, stream.category());
                save.setString(2, stream.id());
                save.setLong(3, version[0]);
                save.setInt(4, 1);
                save.setString(5, codec.encode(state));
                if (sql.dialect == JdbcSql.Dialect.SQLITE) {
                    save.setLong(6, epochNanos(Instant.now()));
                }
                save.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Account.State loadFromSnapshot(StreamId stream) {
        return reads.run(connection -> {
            long version = 0;
            Account.State state = account.initialState();
            try (PreparedStatement select = connection.prepareStatement(sql.loadSnapshot())) {
                select.setString(1, stream.category());
                select.setString(2, stream.id());
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
            throw new IllegalStateException("cannot close the JDBC twin", e);
        }
    }

    private static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (SQLException s = t instanceof SQLException e ? e : null; s != null; s = s.getNextException()) {
                if ("23505".equals(s.getSQLState()) || s.getErrorCode() == SQLITE_CONSTRAINT) {
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
        return "plain JDBC on " + sql.dialect + " (" + sql.events + ")";
    }

    /** Work on a connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs work in transactions. Thread-safe. */
    interface Connections {
        /**
         * Runs {@code work} in one transaction: committed if it returns, rolled back if it throws.
         *
         * @throws JdbcFailure wrapping a SQL failure, after the rollback
         */
        <T> T run(SqlWork<T> work);
    }

    /** A SQL failure of the plain-JDBC twin. */
    static final class JdbcFailure extends RuntimeException {
        JdbcFailure(String message, SQLException cause) {
            super(message + ": " + cause.getMessage(), cause);
        }
    }
}
