package dev.relato.sqlite;

import dev.relato.projection.CheckpointStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checkpoints of asynchronous consumers in the same SQLite file as the events (table {@code <prefix>checkpoints}),
 * and the consumers an operator paused (table {@code <prefix>projection_pauses}).
 * Obtained from {@link SqliteEventStore#checkpoints()} and closed with that store.
 *
 * <p>A consumer whose read model lives in the same file can save its checkpoint in the same transaction as
 * the read model's changes, with {@link #save(SqliteTransaction, String, long)}: then the model and the
 * checkpoint can never disagree, and events are handled exactly once.
 *
 * <p><b>Thread safety:</b> thread-safe; saves go through the store's write lock, loads through its read
 * connections. <b>Failures:</b> SQLite failures throw {@link dev.relato.StoreUnavailableException} (transient) or
 * {@link dev.relato.StoreFailureException} (permanent), as the event store classifies them, and leave the
 * previous checkpoint in place; an invalid name or negative position throws {@link IllegalArgumentException}.
 * Called inside {@link SqliteEventStore#inTransaction} on the same thread, {@link #save(String, long)} and
 * {@link #delete} throw {@link IllegalStateException}: use the overloads taking the transaction.
 */
public final class SqliteCheckpointStore implements CheckpointStore {
    private final SqliteDatabase db;
    private final SqliteSql sql;

    SqliteCheckpointStore(SqliteDatabase db) {
        this.db = db;
        this.sql = db.sql();
    }

    @Override
    public long load(String consumer) {
        CheckpointStore.validateName(consumer);
        return db.read("load of the checkpoint of '" + consumer + "'", session -> load(session, consumer));
    }

    /** The consumer's checkpoint as the transaction sees it; 0 if none. */
    public long load(SqliteTransaction tx, String consumer) {
        CheckpointStore.validateName(consumer);
        return inTransaction(tx, "load of the checkpoint of '" + consumer + "'", session -> load(session, consumer));
    }

    private long load(SqliteSession session, String consumer) throws SQLException {
        PreparedStatement select = session.prepare(sql.loadCheckpoint());
        select.setString(1, consumer);
        try (ResultSet rs = select.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    @Override
    public void save(String consumer, long position) {
        check(consumer, position);
        db.write("save of the checkpoint of '" + consumer + "'", session -> save(session, consumer, position));
    }

    /** Saves the checkpoint inside the caller's transaction: it commits or rolls back with it. */
    public void save(SqliteTransaction tx, String consumer, long position) {
        check(consumer, position);
        inTransaction(tx, "save of the checkpoint of '" + consumer + "'", session -> save(session, consumer, position));
    }

    private int save(SqliteSession session, String consumer, long position) throws SQLException {
        PreparedStatement upsert = session.prepare(sql.saveCheckpoint());
        upsert.setString(1, consumer);
        upsert.setLong(2, position);
        upsert.setLong(3, System.currentTimeMillis());
        return upsert.executeUpdate();
    }

    @Override
    public void delete(String consumer) {
        CheckpointStore.validateName(consumer);
        change("delete of the checkpoint of '" + consumer + "'", sql.deleteCheckpoint(), consumer);
    }

    @Override
    public SortedMap<String, Long> loadAll() {
        return db.read("listing of the checkpoints", session -> {
            SortedMap<String, Long> all = new TreeMap<>();
            try (ResultSet rs = session.prepare(sql.loadAllCheckpoints()).executeQuery()) {
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
        change("pause of '" + consumer + "'", sql.pause(), consumer);
    }

    @Override
    public void resume(String consumer) {
        CheckpointStore.validateName(consumer);
        change("resumption of '" + consumer + "'", sql.resume(), consumer);
    }

    private void change(String what, String statement, String consumer) {
        db.write(what, session -> {
            PreparedStatement change = session.prepare(statement);
            change.setString(1, consumer);
            return change.executeUpdate();
        });
    }

    @Override
    public boolean isPaused(String consumer) {
        CheckpointStore.validateName(consumer);
        return db.read("look at the pause of '" + consumer + "'", session -> {
            PreparedStatement select = session.prepare(sql.isPaused());
            select.setString(1, consumer);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next();
            }
        });
    }

    @Override
    public SortedSet<String> loadPaused() {
        return db.read("listing of the paused consumers", session -> {
            SortedSet<String> paused = new TreeSet<>();
            try (ResultSet rs = session.prepare(sql.loadPaused()).executeQuery()) {
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

    private <T> T inTransaction(SqliteTransaction tx, String what, SqliteDatabase.SqlWork<T> work) {
        try {
            return work.run(tx.session(db));
        } catch (SQLException e) {
            throw db.failure(what, e);
        }
    }
}
