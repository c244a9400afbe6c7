package dev.relato.postgres;

import dev.relato.ErrorClassifier;
import dev.relato.StreamId;
import dev.relato.snapshot.Snapshot;
import dev.relato.snapshot.SnapshotStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link SnapshotStore} in the {@code snapshots} table of a {@link PostgresSchema}: one row per stream,
 * replaced only by a snapshot at the same or a higher version (decided by the database, so concurrent
 * savers in any process keep the newest). Thread-safe. Failures surface as
 * {@link dev.relato.StoreUnavailableException} when transient and as {@link dev.relato.StoreFailureException}
 * otherwise (see {@link PostgresEventStore}); the data source is never closed here.
 */
public final class PostgresSnapshotStore implements SnapshotStore {
    private final DataSource dataSource;
    private final Sql sql;
    private final SqlErrors errors;

    /**
     * A snapshot store over {@code dataSource}, in {@code schema} (migrated with {@link PostgresSchema#migrate}),
     * with the default classification of errors; {@link PostgresEventStore#snapshots()} applies the store's.
     */
    public PostgresSnapshotStore(DataSource dataSource, PostgresSchema schema) {
        this(dataSource, schema, new SqlErrors(ErrorClassifier.storeDefault()));
    }

    PostgresSnapshotStore(DataSource dataSource, PostgresSchema schema, SqlErrors errors) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.sql = new Sql(Objects.requireNonNull(schema, "schema"));
        this.errors = errors;
    }

    @Override
    public Optional<Snapshot> load(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        return Sessions.call(dataSource, errors, () -> "loading the snapshot of stream '" + stream + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.loadSnapshot)) {
                ps.setString(1, stream.category());
                ps.setString(2, stream.id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Snapshot(stream, rs.getLong(1), rs.getInt(2), rs.getString(3),
                            rs.getObject(4, OffsetDateTime.class).toInstant()));
                }
            }
        });
    }

    @Override
    public void save(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        Sessions.call(dataSource, errors, () -> "saving the snapshot of stream '" + snapshot.stream() + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.saveSnapshot)) {
                ps.setString(1, snapshot.stream().category());
                ps.setString(2, snapshot.stream().id());
                ps.setLong(3, snapshot.version());
                ps.setInt(4, snapshot.schemaVersion());
                ps.setString(5, snapshot.payload());
                ps.setObject(6, OffsetDateTime.ofInstant(snapshot.takenAt(), ZoneOffset.UTC));
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void delete(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        Sessions.call(dataSource, errors, () -> "deleting the snapshot of stream '" + stream + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.deleteSnapshot)) {
                ps.setString(1, stream.category());
                ps.setString(2, stream.id());
                return ps.executeUpdate();
            }
        });
    }
}
