package dev.relato.sqlite;

import dev.relato.StreamId;
import dev.relato.snapshot.Snapshot;
import dev.relato.snapshot.SnapshotStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;
import java.util.Optional;

/**
 * Snapshots in the same SQLite file as the events (table {@code <prefix>snapshots}), one row per stream. Obtained
 * from {@link SqliteEventStore#snapshots()} and closed with that store.
 *
 * <p><b>Thread safety:</b> thread-safe; saves go through the store's write lock, loads through its read
 * connections. <b>Failures:</b> SQLite failures throw {@link dev.relato.StoreUnavailableException} (transient) or
 * {@link dev.relato.StoreFailureException} (permanent), as the event store classifies them; a failed save
 * leaves the previous snapshot in place. Called inside {@link SqliteEventStore#inTransaction} on the same thread,
 * {@link #save} and {@link #delete} throw {@link IllegalStateException}.
 */
public final class SqliteSnapshotStore implements SnapshotStore {
    private final SqliteDatabase db;
    private final SqliteSql sql;

    SqliteSnapshotStore(SqliteDatabase db) {
        this.db = db;
        this.sql = db.sql();
    }

    @Override
    public Optional<Snapshot> load(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        return db.read("load of the snapshot of stream '" + stream + "'", session -> {
            PreparedStatement select = session.prepare(sql.loadSnapshot());
            select.setString(1, stream.category());
            select.setString(2, stream.id());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Snapshot(stream, rs.getLong(1), rs.getInt(2), rs.getString(3),
                        SqliteEventStore.instant(rs.getLong(4))));
            }
        });
    }

    /** Stores the snapshot unless one at a higher version is stored already. */
    @Override
    public void save(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        db.write("save of the snapshot of stream '" + snapshot.stream() + "'", session -> {
            PreparedStatement upsert = session.prepare(sql.saveSnapshot());
            upsert.setString(1, snapshot.stream().category());
            upsert.setString(2, snapshot.stream().id());
            upsert.setLong(3, snapshot.version());
            upsert.setInt(4, snapshot.schemaVersion());
            upsert.setString(5, snapshot.payload());
            upsert.setLong(6, SqliteEventStore.epochNanos(snapshot.takenAt()));
            return upsert.executeUpdate();
        });
    }

    @Override
    public void delete(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        db.write("delete of the snapshot of stream '" + stream + "'", session -> {
            PreparedStatement delete = session.prepare(sql.deleteSnapshot());
            delete.setString(1, stream.category());
            delete.setString(2, stream.id());
            return delete.executeUpdate();
        });
    }
}
