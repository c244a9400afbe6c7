package dev.relato.postgres;

import dev.relato.ErrorClassifier;
import dev.relato.projection.CheckpointStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * {@link CheckpointStore} in the {@code checkpoints} table of a {@link PostgresSchema}, with the paused consumers in
 * its {@code projection_pauses} table (migration {@code V10__projection_pauses.sql}). Besides the
 * interface, {@link #save(Connection, String, long)} stores a checkpoint within the caller's transaction, so
 * that a projection's read-model changes and its checkpoint commit together (exactly-once effects).
 * Thread-safe. Failures surface as {@link dev.relato.StoreUnavailableException} when transient and as
 * {@link dev.relato.StoreFailureException} otherwise (see {@link PostgresEventStore}); the data source is never
 * closed here.
 */
public final class PostgresCheckpointStore implements CheckpointStore {
    private final DataSource dataSource;
    private final Sql sql;
    private final SqlErrors errors;

    /**
     * A checkpoint store over {@code dataSource}, in {@code schema} (migrated with {@link PostgresSchema#migrate}),
     * with the default classification of errors; {@link PostgresEventStore#checkpoints()} applies the store's.
     */
    public PostgresCheckpointStore(DataSource dataSource, PostgresSchema schema) {
        this(dataSource, schema, new SqlErrors(ErrorClassifier.storeDefault()));
    }

    PostgresCheckpointStore(DataSource dataSource, PostgresSchema schema, SqlErrors errors) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.sql = new Sql(Objects.requireNonNull(schema, "schema"));
        this.errors = errors;
    }

    @Override
    public long load(String consumer) {
        CheckpointStore.validateName(consumer);
        return Sessions.call(dataSource, errors, () -> "loading the checkpoint of '" + consumer + "'", c -> load0(c, consumer));
    }

    /** The consumer's checkpoint as the caller's transaction sees it; 0 if none. The connection is used as is. */
    public long load(Connection tx, String consumer) {
        Objects.requireNonNull(tx, "connection must not be null");
        CheckpointStore.validateName(consumer);
        try {
            return load0(tx, consumer);
        } catch (SQLException e) {
            throw errors.translate(e, "loading the checkpoint of '" + consumer + "'");
        }
    }

    private long load0(Connection c, String consumer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.loadCheckpoint)) {
            ps.setString(1, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }
    }

    @Override
    public void save(String consumer, long position) {
        check(consumer, position);
        Sessions.call(dataSource, errors, () -> "saving the checkpoint of '" + consumer + "'", c -> save0(c, consumer, position));
    }

    /**
     * Stores the checkpoint within the caller's transaction: it commits or rolls back with it. The connection
     * is used as is (never committed, rolled back or closed here).
     *
     * @throws IllegalArgumentException if the name is blank or the position negative
     */
    public void save(Connection tx, String consumer, long position) {
        Objects.requireNonNull(tx, "connection must not be null");
        check(consumer, position);
        try {
            save0(tx, consumer, position);
        } catch (SQLException e) {
            throw errors.translate(e, "saving the checkpoint of '" + consumer + "'");
        }
    }

    private int save0(Connection c, String consumer, long position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.saveCheckpoint)) {
            ps.setString(1, consumer);
            ps.setLong(2, position);
            return ps.executeUpdate();
        }
    }

    @Override
    public void delete(String consumer) {
        CheckpointStore.validateName(consumer);
        Sessions.call(dataSource, errors, () -> "deleting the checkpoint of '" + consumer + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.deleteCheckpoint)) {
                ps.setString(1, consumer);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public SortedMap<String, Long> loadAll() {
        return Sessions.call(dataSource, errors, () -> "listing the checkpoints", c -> {
            SortedMap<String, Long> all = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement(sql.loadAllCheckpoints); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.put(rs.getString(1), rs.getLong(2));
                }
            }
            return Collections.unmodifiableSortedMap(all);
        });
    }

    @Override
    public void pause(String consumer) {
        CheckpointStore.validateName(consumer);
        update(sql.pause, consumer, "pausing '" + consumer + "'");
    }

    @Override
    public void resume(String consumer) {
        CheckpointStore.validateName(consumer);
        update(sql.resume, consumer, "resuming '" + consumer + "'");
    }

    private void update(String statement, String consumer, String what) {
        Sessions.call(dataSource, errors, () -> what, c -> {
            try (PreparedStatement ps = c.prepareStatement(statement)) {
                ps.setString(1, consumer);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean isPaused(String consumer) {
        CheckpointStore.validateName(consumer);
        return Sessions.call(dataSource, errors, () -> "looking whether '" + consumer + "' is paused", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.isPaused)) {
                ps.setString(1, consumer);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public SortedSet<String> loadPaused() {
        return Sessions.call(dataSource, errors, () -> "listing the paused consumers", c -> {
            SortedSet<String> paused = new TreeSet<>();
            try (PreparedStatement ps = c.prepareStatement(sql.loadPaused); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    paused.add(rs.getString(1));
                }
            }
            return Collections.unmodifiableSortedSet(paused);
        });
    }

    private static void check(String consumer, long position) {
        CheckpointStore.validateName(consumer);
        if (position < 0) {
            throw new IllegalArgumentException("checkpoint position must be 0 or more, got " + position);
        }
    }
}
