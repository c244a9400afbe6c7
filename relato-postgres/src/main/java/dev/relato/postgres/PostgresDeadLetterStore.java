package dev.relato.postgres;

import dev.relato.ErrorClassifier;
import dev.relato.StreamId;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * {@link DeadLetterStore} in the {@code dead_letters} table of a {@link PostgresSchema}, a replay request as its
 * {@code replay_requested} column (migration {@code V11__dead_letter_replays.sql}). Thread-safe; every
 * call borrows a connection of the data source (never closed here). Failures surface as
 * {@link dev.relato.StoreUnavailableException} when transient and as {@link dev.relato.StoreFailureException}
 * otherwise (see {@link PostgresEventStore}).
 */
public final class PostgresDeadLetterStore implements DeadLetterStore {
    private final DataSource dataSource;
    private final Sql sql;
    private final SqlErrors errors;

    /**
     * Dead letters on {@code dataSource}, in {@code schema} (migrated), with the default classification of errors;
     * {@link PostgresEventStore#deadLetters()} applies the store's.
     */
    public PostgresDeadLetterStore(DataSource dataSource, PostgresSchema schema) {
        this(dataSource, schema, new SqlErrors(ErrorClassifier.storeDefault()));
    }

    PostgresDeadLetterStore(DataSource dataSource, PostgresSchema schema, SqlErrors errors) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.sql = new Sql(Objects.requireNonNull(schema, "schema"));
        this.errors = errors;
    }

    @Override
    public void add(DeadLetter letter) {
        Objects.requireNonNull(letter, "dead letter must not be null");
        Sessions.call(dataSource, errors, () -> "storing the dead letter of '" + letter.projection() + "' at " + letter.position(),
                c -> {
                    try (PreparedStatement ps = c.prepareStatement(sql.addDeadLetter)) {
                        ps.setString(1, letter.projection());
                        ps.setLong(2, letter.position());
                        ps.setObject(3, letter.eventId());
                        ps.setString(4, letter.streamId().category());
                        ps.setString(5, letter.streamId().id());
                        ps.setLong(6, letter.streamVersion());
                        ps.setString(7, letter.type());
                        ps.setString(8, letter.error());
                        ps.setString(9, letter.stackTrace());
                        ps.setInt(10, letter.attempts());
                        ps.setTimestamp(11, Timestamp.from(letter.failedAt()));
                        return ps.executeUpdate();
                    }
                });
    }

    @Override
    public List<DeadLetter> list(String projection) {
        CheckpointStore.validateName(projection);
        return Sessions.call(dataSource, errors, () -> "listing the dead letters of '" + projection + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.listDeadLetters)) {
                ps.setString(1, projection);
                return letters(ps);
            }
        });
    }

    @Override
    public Optional<DeadLetter> find(String projection, long position) {
        CheckpointStore.validateName(projection);
        return Sessions.call(dataSource, errors, () -> "reading the dead letter of '" + projection + "' at " + position, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.findDeadLetter)) {
                ps.setString(1, projection);
                ps.setLong(2, position);
                return letters(ps).stream().findFirst();
            }
        });
    }

    @Override
    public boolean remove(String projection, long position) {
        CheckpointStore.validateName(projection);
        return change("removing the dead letter of '" + projection + "' at " + position, sql.removeDeadLetter,
                projection, position);
    }

    @Override
    public boolean requestReplay(String projection, long position) {
        CheckpointStore.validateName(projection);
        return change("asking for a replay of the dead letter of '" + projection + "' at " + position,
                sql.requestReplay, projection, position);
    }

    private boolean change(String what, String statement, String projection, long position) {
        return Sessions.call(dataSource, errors, () -> what, c -> {
            try (PreparedStatement ps = c.prepareStatement(statement)) {
                ps.setString(1, projection);
                ps.setLong(2, position);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<Long> replayRequests(String projection) {
        CheckpointStore.validateName(projection);
        return Sessions.call(dataSource, errors, () -> "listing the replay requests of '" + projection + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.replayRequests)) {
                ps.setString(1, projection);
                List<Long> positions = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        positions.add(rs.getLong(1));
                    }
                }
                return List.copyOf(positions);
            }
        });
    }

    private static List<DeadLetter> letters(PreparedStatement ps) throws SQLException {
        List<DeadLetter> letters = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                letters.add(new DeadLetter(rs.getString(1), rs.getLong(2), rs.getObject(3, UUID.class),
                        new StreamId(rs.getString(4), rs.getString(5)), rs.getLong(6), rs.getString(7), rs.getString(8),
                        rs.getString(9), rs.getInt(10), rs.getTimestamp(11).toInstant()));
            }
        }
        return letters;
    }
}
