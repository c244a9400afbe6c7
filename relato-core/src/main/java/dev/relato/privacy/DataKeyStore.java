package dev.relato.privacy;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where the wrapped data keys of personal data live, beside the events: one table (SQLite, PostgreSQL), one
 * key-value bucket (NATS) or a map (in memory). It only stores bytes it is given; wrapping and unwrapping happen in
 * {@link PersonalDataStore}. Every implementation passes the data key store contract in relato-test.
 *
 * <p>Implementations are thread-safe and work across processes sharing the store: {@link #add} of a key id that
 * is stored already changes nothing; {@link #destroy} removes every key of a subject for good.
 */
public interface DataKeyStore {
    /** The subject's newest key (the latest {@link WrappedKey#createdAt()}, ties broken by key id), if any. */
    Optional<WrappedKey> newest(String subject);

    /** The key with this id, unless it was destroyed or never stored. */
    Optional<WrappedKey> find(UUID keyId);

    /** Stores a key; a key id stored already is left as it is. */
    void add(WrappedKey key);

    /** Replaces the wrapped bytes of a stored key (re-wrapping under a new key-encryption key); false if absent. */
    boolean rewrap(UUID keyId, byte[] wrapped);

    /** Every key of the subject, oldest first. */
    List<WrappedKey> keysOf(String subject);

    /** Every stored key id, for re-wrapping them all. */
    List<UUID> keyIds();

    /**
     * Destroys every key of the subject; data encrypted with them can never be read again.
     *
     * @return the number of keys destroyed
     */
    int destroy(String subject);
}
