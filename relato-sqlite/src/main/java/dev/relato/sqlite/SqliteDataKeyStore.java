package dev.relato.sqlite;

import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.WrappedKey;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The wrapped data keys of personal data in the same SQLite file as the events (table {@code <prefix>data_keys},
 * schema version 5). Obtained from {@link SqliteEventStore#dataKeys()} and closed with that store. It holds only
 * keys wrapped by a key-encryption key kept outside the file.
 *
 * <p><b>Thread safety:</b> thread-safe; writes go through the store's write lock, reads through its read
 * connections. A key added on a thread inside a write transaction of the same file (a personal data store appending
 * through {@link SqliteEventStore#boundTo}) is written in that transaction and commits or rolls back with it; so
 * is a subject's first key, made by a personal data store appending through the event store, written in the
 * append's own transaction (its savepoint, in a group commit).
 * <b>Failures:</b> as the event store classifies them ({@link dev.relato.StoreUnavailableException}
 * or {@link dev.relato.StoreFailureException}); a failed write changes nothing.
 */
public final class SqliteDataKeyStore implements DataKeyStore {
    private final SqliteDatabase db;
    private final SqliteSql sql;

    SqliteDataKeyStore(SqliteDatabase db) {
        this.db = db;
        this.sql = db.sql();
    }

    @Override
    public Optional<WrappedKey> newest(String subject) {
        Objects.requireNonNull(subject, "subject");
        List<WrappedKey> keys = select("newest data key", sql.newestDataKey(), subject);
        return keys.isEmpty() ? Optional.empty() : Optional.of(keys.get(0));
    }

    @Override
    public Optional<WrappedKey> find(UUID keyId) {
        Objects.requireNonNull(keyId, "keyId");
        List<WrappedKey> keys = select("data key " + keyId, sql.findDataKey(), keyId.toString());
        return keys.isEmpty() ? Optional.empty() : Optional.of(keys.get(0));
    }

    @Override
    public List<WrappedKey> keysOf(String subject) {
        Objects.requireNonNull(subject, "subject");
        return select("data keys of a subject", sql.dataKeysOf(), subject);
    }

    private List<WrappedKey> select(String what, String query, String parameter) {
        return db.read(what, session -> {
            PreparedStatement select = session.prepare(query);
            select.setString(1, parameter);
            try (ResultSet rs = select.executeQuery()) {
                List<WrappedKey> keys = new ArrayList<>();
                while (rs.next()) {
                    keys.add(new WrappedKey(UUID.fromString(rs.getString(1)), rs.getString(2), rs.getBytes(3),
                            SqliteEventStore.instant(rs.getLong(4))));
                }
                return keys;
            }
        });
    }

    @Override
    public List<UUID> keyIds() {
        return db.read("data key ids", session -> {
            try (ResultSet rs = session.prepare(sql.dataKeyIds()).executeQuery()) {
                List<UUID> ids = new ArrayList<>();
                while (rs.next()) {
                    ids.add(UUID.fromString(rs.getString(1)));
                }
                return ids;
            }
        });
    }

    @Override
    public void add(WrappedKey key) {
        Objects.requireNonNull(key, "key");
        // joins the caller's transaction when a personal data store appends through one: the key commits or rolls
        // back with the events it encrypts
        db.writeOrJoin("store of data key " + key.keyId(), session -> {
            insert(session, List.of(key));
            return null;
        });
    }

    /** Whether {@code keys} is this key store. */
    boolean is(DataKeyStore keys) {
        return keys == this;
    }

    /** Stores keys in the session's transaction, as {@link #add} does each; used by appends that first use them. */
    void insert(SqliteSession session, List<WrappedKey> keys) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        PreparedStatement insert = session.prepare(sql.addDataKey());
        for (WrappedKey key : keys) {
            insert.setString(1, key.keyId().toString());
            insert.setString(2, key.subject());
            insert.setBytes(3, key.wrapped());
            insert.setLong(4, SqliteEventStore.epochNanos(key.createdAt()));
            insert.executeUpdate();
        }
    }

    @Override
    public boolean rewrap(UUID keyId, byte[] wrapped) {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(wrapped, "wrapped");
        return db.write("re-wrap of data key " + keyId, session -> {
            PreparedStatement update = session.prepare(sql.rewrapDataKey());
            update.setBytes(1, wrapped);
            update.setString(2, keyId.toString());
            return update.executeUpdate() > 0;
        });
    }

    @Override
    public int destroy(String subject) {
        Objects.requireNonNull(subject, "subject");
        return db.write("destruction of the data keys of a subject", session -> delete(session, subject));
    }

    private int delete(SqliteSession session, String subject) throws SQLException {
        PreparedStatement delete = session.prepare(sql.destroyDataKeys());
        delete.setString(1, subject);
        return delete.executeUpdate();
    }
}
