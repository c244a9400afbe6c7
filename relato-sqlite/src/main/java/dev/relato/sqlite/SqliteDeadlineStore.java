package dev.relato.sqlite;

import dev.relato.process.Deadline;
import dev.relato.process.DeadlineStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Deadlines of process managers in the same SQLite file as the events (table {@code <prefix>deadlines}), so they
 * survive restarts with the events. Obtained from {@link SqliteEventStore#deadlines()} and closed with that store.
 *
 * <p><b>Thread safety:</b> thread-safe; writes go through the store's write lock, reads through its read
 * connections. <b>Failures:</b> SQLite failures throw {@link dev.relato.StoreUnavailableException} (transient) or
 * {@link dev.relato.StoreFailureException} (permanent), as the event store classifies them, and change nothing.
 */
public final class SqliteDeadlineStore implements DeadlineStore {
    private final SqliteDatabase db;
    private final SqliteSql sql;

    SqliteDeadlineStore(SqliteDatabase db) {
        this.db = db;
        this.sql = db.sql();
    }

    @Override
    public void schedule(Deadline deadline) {
        Objects.requireNonNull(deadline, "deadline must not be null");
        db.write("schedule of deadline " + deadline.id(), session -> {
            PreparedStatement upsert = session.prepare(sql.scheduleDeadline());
            upsert.setString(1, deadline.id().toString());
            upsert.setString(2, deadline.process());
            upsert.setString(3, deadline.instance());
            upsert.setString(4, deadline.name());
            upsert.setLong(5, deadline.due().toEpochMilli());
            return upsert.executeUpdate();
        });
    }

    @Override
    public boolean cancel(UUID id) {
        Objects.requireNonNull(id, "id must not be null");
        return db.write("cancel of deadline " + id, session -> {
            PreparedStatement delete = session.prepare(sql.cancelDeadline());
            delete.setString(1, id.toString());
            return delete.executeUpdate();
        }) > 0;
    }

    @Override
    public Optional<Deadline> find(UUID id) {
        Objects.requireNonNull(id, "id must not be null");
        return db.read("lookup of deadline " + id, session -> {
            PreparedStatement select = session.prepare(sql.findDeadline());
            select.setString(1, id.toString());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(deadline(rs)) : Optional.<Deadline>empty();
            }
        });
    }

    @Override
    public List<Deadline> due(String process, Instant now, int limit) {
        DeadlineStore.checkDue(process, now, limit);
        return db.read("lookup of the due deadlines of '" + process + "'", session -> {
            PreparedStatement select = session.prepare(sql.dueDeadlines());
            select.setString(1, process);
            select.setLong(2, now.toEpochMilli());
            select.setInt(3, limit);
            List<Deadline> due = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    due.add(deadline(rs));
                }
            }
            return due;
        });
    }

    @Override
    public boolean remove(Deadline deadline) {
        Objects.requireNonNull(deadline, "deadline must not be null");
        return db.write("removal of deadline " + deadline.id(), session -> {
            PreparedStatement delete = session.prepare(sql.removeDeadline());
            delete.setString(1, deadline.id().toString());
            delete.setLong(2, deadline.due().toEpochMilli());
            return delete.executeUpdate();
        }) > 0;
    }

    private static Deadline deadline(ResultSet rs) throws SQLException {
        return new Deadline(UUID.fromString(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getString(4),
                Instant.ofEpochMilli(rs.getLong(5)));
    }

    @Override
    public String toString() {
        return "SqliteDeadlineStore[" + sql.deadlines + "]";
    }
}
