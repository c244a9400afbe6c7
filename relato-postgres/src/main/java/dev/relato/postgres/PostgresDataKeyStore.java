package dev.relato.postgres;

import dev.relato.ErrorClassifier;
import dev.relato.privacy.DataKeyStore;
import dev.relato.privacy.WrappedKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * {@link DataKeyStore} in the {@code data_keys} table of a {@link PostgresSchema} (migration V7): the wrapped data
 * keys of personal data, beside the events, never the key-encryption key. Thread-safe; concurrent adds of one key
 * id keep the first. Failures surface as {@link dev.relato.StoreUnavailableException} when transient and as
 * {@link dev.relato.StoreFailureException} otherwise; the data source is never closed here. A subject's first key,
 * made by a personal data store appending through a {@link PostgresEventStore} of the same data source and
 * schema (or its inline-projecting store, or a view of a caller's transaction), is written in the append's
 * transaction and commits or rolls back with its events (on a caller's connection in auto-commit mode, where each
 * statement commits alone, it is written just before them).
 */
public final class PostgresDataKeyStore implements DataKeyStore {
    private static final String COLUMNS = "key_id, subject, wrapped, created_at";
    private final DataSource dataSource;
    private final SqlErrors errors;
    private final String newest;
    private final String find;
    private final String keysOf;
    private final String keyIds;
    private final String add;
    private final String rewrap;
    private final String destroy;
    private final String table;

    /**
     * A key store over {@code dataSource}, in {@code schema} (migrated with {@link PostgresSchema#migrate}), with
     * the default classification of errors; {@link PostgresEventStore#dataKeys()} applies the store's.
     */
    public PostgresDataKeyStore(DataSource dataSource, PostgresSchema schema) {
        this(dataSource, schema, new SqlErrors(ErrorClassifier.storeDefault()));
    }

    PostgresDataKeyStore(DataSource dataSource, PostgresSchema schema, SqlErrors errors) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.errors = errors;
        this.table = Objects.requireNonNull(schema, "schema").table("data_keys");
        newest = "SELECT " + COLUMNS + " FROM " + table + " WHERE subject = ? ORDER BY created_at DESC, key_id DESC"
                + " LIMIT 1";
        find = "SELECT " + COLUMNS + " FROM " + table + " WHERE key_id = ?";
        keysOf = "SELECT " + COLUMNS + " FROM " + table + " WHERE subject = ? ORDER BY created_at, key_id";
        keyIds = "SELECT key_id FROM " + table;
        add = "INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING";
        rewrap = "UPDATE " + table + " SET wrapped = ? WHERE key_id = ?";
        destroy = "DELETE FROM " + table + " WHERE subject = ?";
    }

    @Override
    public Optional<WrappedKey> newest(String subject) {
        Objects.requireNonNull(subject, "subject");
        return select("reading the newest data key of a subject", newest, subject).stream().findFirst();
    }

    @Override
    public Optional<WrappedKey> find(UUID keyId) {
        Objects.requireNonNull(keyId, "keyId");
        return select("reading data key " + keyId, find, keyId).stream().findFirst();
    }

    @Override
    public List<WrappedKey> keysOf(String subject) {
        Objects.requireNonNull(subject, "subject");
        return select("reading the data keys of a subject", keysOf, subject);
    }

    private List<WrappedKey> select(String what, String query, Object parameter) {
        return Sessions.call(dataSource, errors, () -> what, c -> {
            try (PreparedStatement ps = c.prepareStatement(query)) {
                ps.setObject(1, parameter);
                try (ResultSet rs = ps.executeQuery()) {
                    List<WrappedKey> keys = new ArrayList<>();
                    while (rs.next()) {
                        keys.add(new WrappedKey(rs.getObject(1, UUID.class), rs.getString(2), rs.getBytes(3),
                                rs.getObject(4, OffsetDateTime.class).toInstant()));
                    }
                    return keys;
                }
            }
        });
    }

    @Override
    public List<UUID> keyIds() {
        return Sessions.call(dataSource, errors, () -> "listing data key ids", c -> {
            try (PreparedStatement ps = c.prepareStatement(keyIds); ResultSet rs = ps.executeQuery()) {
                List<UUID> ids = new ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                }
                return ids;
            }
        });
    }

    @Override
    public void add(WrappedKey key) {
        Objects.requireNonNull(key, "key");
        Sessions.call(dataSource, errors, () -> "storing data key " + key.keyId(), c -> {
            insert(c, List.of(key));
            return null;
        });
    }

    /**
     * Binds the keys' ids, subjects, wrapped bytes and creation times as four arrays, from parameter {@code first}
     * on, for a statement that stores them with the events of an append.
     */
    static void bind(Connection c, PreparedStatement ps, int first, List<WrappedKey> keys) throws SQLException {
        int n = keys.size();
        UUID[] ids = new UUID[n];
        String[] subjects = new String[n];
        byte[][] wrapped = new byte[n][];
        OffsetDateTime[] createdAt = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            WrappedKey key = keys.get(i);
            ids[i] = key.keyId();
            subjects[i] = key.subject();
            wrapped[i] = key.wrapped();
            createdAt[i] = OffsetDateTime.ofInstant(key.createdAt(), ZoneOffset.UTC);
        }
        ps.setArray(first, c.createArrayOf("uuid", ids));
        ps.setArray(first + 1, c.createArrayOf("text", subjects));
        ps.setArray(first + 2, c.createArrayOf("bytea", wrapped));
        ps.setArray(first + 3, c.createArrayOf("timestamptz", createdAt));
    }

    /** Whether {@code keys} keeps its keys in the same table of the same data source as this key store. */
    boolean sameTable(DataKeyStore keys) {
        return keys instanceof PostgresDataKeyStore other && other.dataSource == dataSource
                && other.table.equals(table);
    }

    /**
     * Stores keys on the connection, in its transaction, as {@link #add} does each: used by the append that first
     * uses them, so that they commit or roll back with its events.
     */
    void insert(Connection c, List<WrappedKey> keys) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(add)) {
            for (WrappedKey key : keys) {
                ps.setObject(1, key.keyId());
                ps.setString(2, key.subject());
                ps.setBytes(3, key.wrapped());
                ps.setObject(4, OffsetDateTime.ofInstant(key.createdAt(), ZoneOffset.UTC));
                if (keys.size() > 1) {
                    ps.addBatch();
                }
            }
            if (keys.size() > 1) {
                ps.executeBatch();
            } else {
                ps.executeUpdate();
            }
        }
    }

    @Override
    public boolean rewrap(UUID keyId, byte[] wrapped) {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(wrapped, "wrapped");
        return Sessions.call(dataSource, errors, () -> "re-wrapping data key " + keyId, c -> {
            try (PreparedStatement ps = c.prepareStatement(rewrap)) {
                ps.setBytes(1, wrapped);
                ps.setObject(2, keyId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public int destroy(String subject) {
        Objects.requireNonNull(subject, "subject");
        return Sessions.call(dataSource, errors, () -> "destroying the data keys of a subject", c -> {
            try (PreparedStatement ps = c.prepareStatement(destroy)) {
                ps.setString(1, subject);
                return ps.executeUpdate();
            }
        });
    }
}
