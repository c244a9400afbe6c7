package dev.relato.postgres;

import dev.relato.ErrorClassifier;
import dev.relato.process.Deadline;
import dev.relato.process.DeadlineStore;
import java.sql.Connection;
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
 * {@link DeadlineStore} in the {@code deadlines} table of a {@link PostgresSchema} (migration
 * {@code V8__deadlines.sql}), durable with the events. Thread-safe. Failures surface as
 * {@link dev.relato.StoreUnavailableException} when transient and as {@link dev.relato.StoreFailureException}
 * otherwise (see {@link PostgresEventStore}); the data source is never closed here.
 */
public final class PostgresDeadlineStore implements DeadlineStore {
    private final DataSource dataSource;
    private final Sql sql;
    private final SqlErrors errors;

    /** A deadline store over {@code dataSource}, in {@code schema} (migrated), with the default error classification. */
    public PostgresDeadlineStore(DataSource dataSource, PostgresSchema schema) {
        this(dataSource, schema, new SqlErrors(ErrorClassifier.storeDefault()));
    }

    PostgresDeadlineStore(DataSource dataSource, PostgresSchema schema, SqlErrors errors) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.sql = new Sql(Objects.requireNonNull(schema, "schema"));
        this.errors = errors;
    }

    @Override
    public void schedule(Deadline deadline) {
        Objects.requireNonNull(deadline, "deadline must not be null");
        Sessions.call(dataSource, errors, () -> "scheduling deadline " + deadline.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.scheduleDeadline)) {
                ps.setObject(1, deadline.id());
                ps.setString(2, deadline.process());
                ps.setString(3, deadline.instance());
                ps.setString(4, deadline.name());
                ps.setTimestamp(5, Timestamp.from(deadline.due()));
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean cancel(UUID id) {
        Objects.requireNonNull(id, "id must not be null");
        return Sessions.call(dataSource, errors, () -> "cancelling deadline " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.cancelDeadline)) {
                ps.setObject(1, id);
                return ps.executeUpdate();
            }
        }) > 0;
    }

    @Override
    public Optional<Deadline> find(UUID id) {
        Objects.requireNonNull(id, "id must not be null");
        return Sessions.call(dataSource, errors, () -> "looking up deadline " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.findDeadline)) {
                ps.setObject(1, id);
                List<Deadline> found = deadlines(ps);
                return found.isEmpty() ? Optional.<Deadline>empty() : Optional.of(found.get(0));
            }
        });
    }

    @Override
    public List<Deadline> due(String process, java.time.Instant now, int limit) {
        DeadlineStore.checkDue(process, now, limit);
        return Sessions.call(dataSource, errors, () -> "looking up the due deadlines of '" + process + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.dueDeadlines)) {
                ps.setString(1, process);
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setInt(3, limit);
                return deadlines(ps);
            }
        });
    }

    @Override
    public boolean remove(Deadline deadline) {
        Objects.requireNonNull(deadline, "deadline must not be null");
        return Sessions.call(dataSource, errors, () -> "removing deadline " + deadline.id(), c -> remove(c, deadline))
                > 0;
    }

    private int remove(Connection c, Deadline deadline) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.removeDeadline)) {
            ps.setObject(1, deadline.id());
            ps.setTimestamp(2, Timestamp.from(deadline.due()));
            return ps.executeUpdate();
        }
    }

    private static List<Deadline> deadlines(PreparedStatement ps) throws SQLException {
        List<Deadline> found = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(new Deadline(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant()));
            }
        }
        return found;
    }

    @Override
    public String toString() {
        return "PostgresDeadlineStore";
    }
}
