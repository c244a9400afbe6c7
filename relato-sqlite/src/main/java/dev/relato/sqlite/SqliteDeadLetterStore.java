package dev.relato.sqlite;

import dev.relato.StreamId;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * {@link DeadLetterStore} in the {@code <prefix>dead_letters} table of a {@link SqliteEventStore}'s file, a replay
 * request as its {@code replay_requested} column.
 * Thread-safe: writes go through the store's write lock, reads through its read connections. Failures: SQLite
 * failures throw {@link dev.relato.StoreUnavailableException} (transient) or
 * {@link dev.relato.StoreFailureException} (permanent), as the event store classifies them. Uses the store's connections, so it is unusable
 * once the store is closed.
 */
public final class SqliteDeadLetterStore implements DeadLetterStore {
    private final SqliteDatabase db;
    private final SqliteSql sql;

    /** The dead letters kept in {@code store}'s file; {@link SqliteEventStore#deadLetters()} gives the same. */
    public SqliteDeadLetterStore(SqliteEventStore store) {
        this(Objects.requireNonNull(store, "store must not be null").database());
    }

    SqliteDeadLetterStore(SqliteDatabase db) {
        this.db = db;
        this.sql = db.sql();
    }

    @Override
    public void add(DeadLetter letter) {
        Objects.requireNonNull(letter, "dead letter must not be null");
        db.write("dead letter of '" + letter.projection() + "' at " + letter.position(), session -> {
            PreparedStatement insert = session.prepare(sql.addDeadLetter());
            insert.setString(1, letter.projection());
            insert.setLong(2, letter.position());
            insert.setString(3, letter.eventId().toString());
            insert.setString(4, letter.streamId().category());
            insert.setString(5, letter.streamId().id());
            insert.setLong(6, letter.streamVersion());
            insert.setString(7, letter.type());
            insert.setString(8, letter.error());
            insert.setString(9, letter.stackTrace());
            insert.setInt(10, letter.attempts());
            insert.setLong(11, SqliteEventStore.epochNanos(letter.failedAt()));
            return insert.executeUpdate();
        });
    }

    @Override
    public List<DeadLetter> list(String projection) {
        CheckpointStore.validateName(projection);
        return db.read("dead letters of '" + projection + "'", session -> {
            PreparedStatement select = session.prepare(sql.listDeadLetters());
            select.setString(1, projection);
            return letters(select);
        });
    }

    @Override
    public Optional<DeadLetter> find(String projection, long position) {
        CheckpointStore.validateName(projection);
        return db.read("dead letter of '" + projection + "' at " + position, session -> {
            PreparedStatement select = session.prepare(sql.findDeadLetter());
            select.setString(1, projection);
            select.setLong(2, position);
            return letters(select).stream().findFirst();
        });
    }

    @Override
    public boolean remove(String projection, long position) {
        CheckpointStore.validateName(projection);
        return change("removal of the dead letter of '" + projection + "' at " + position, sql.removeDeadLetter(),
                projection, position);
    }

    @Override
    public boolean requestReplay(String projection, long position) {
        CheckpointStore.validateName(projection);
        return change("replay request of the dead letter of '" + projection + "' at " + position, sql.requestReplay(),
                projection, position);
    }

    private boolean change(String what, String statement, String projection, long position) {
        return db.write(what, session -> {
            PreparedStatement change = session.prepare(statement);
            change.setString(1, projection);
            change.setLong(2, position);
            return change.executeUpdate() > 0;
        });
    }

    @Override
    public List<Long> replayRequests(String projection) {
        CheckpointStore.validateName(projection);
        return db.read("replay requests of '" + projection + "'", session -> {
            PreparedStatement select = session.prepare(sql.replayRequests());
            select.setString(1, projection);
            List<Long> positions = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    positions.add(rs.getLong(1));
                }
            }
            return List.copyOf(positions);
        });
    }

    private static List<DeadLetter> letters(PreparedStatement select) throws SQLException {
        List<DeadLetter> letters = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                letters.add(new DeadLetter(rs.getString(1), rs.getLong(2), UUID.fromString(rs.getString(3)),
                        new StreamId(rs.getString(4), rs.getString(5)), rs.getLong(6), rs.getString(7), rs.getString(8),
                        rs.getString(9), rs.getInt(10), SqliteEventStore.instant(rs.getLong(11))));
            }
        }
        return letters;
    }
}
