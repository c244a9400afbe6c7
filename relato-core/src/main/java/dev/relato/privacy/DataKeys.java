package dev.relato.privacy;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;

/**
 * The data keys of subjects: made on first use, wrapped by the key-encryption key into a {@link DataKeyStore},
 * unwrapped on use into a bounded cache (least recently used out first; entries older than the time to live are
 * read again, so a subject forgotten by another process stops decrypting here within that time). Thread-safe.
 */
final class DataKeys {
    /** The subject of the key that proves the key-encryption key is the one the stored keys were wrapped with. */
    static final String CHECK_SUBJECT = "$relato-key-check";

    private final DataKeyStore store;
    private final KeyEncryptionKey kek;
    private final Clock clock;
    private final long ttlNanos;
    private final Map<UUID, Cached> byId;
    private final Map<String, Cached> newestBySubject;
    /**
     * The entry {@link #find} returned last, read without the lock (a stream of one subject finds its key here);
     * written under the lock only, so that {@link #forget} clearing it is never undone by a find that began before.
     */
    private volatile Cached recent;

    /**
     * An unwrapped data key, held as the key object the cipher takes so that it is made once per key, with its id
     * as text and as 16 bytes (most significant first), as envelopes name it. The bytes are never changed.
     */
    record Key(UUID id, String subject, SecretKeySpec secret, String idText, byte[] idBytes) {
        Key(UUID id, String subject, SecretKeySpec secret) {
            this(id, subject, secret, id.toString(), bytes(id));
        }

        private static byte[] bytes(UUID id) {
            return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
                    .array();
        }
    }

    private record Cached(Key key, long loadedAt) {
    }

    DataKeys(DataKeyStore store, KeyEncryptionKey kek, int cacheSize, Duration ttl, Clock clock) {
        this.store = store;
        this.kek = kek;
        this.clock = clock;
        this.ttlNanos = ttl.toNanos();
        this.byId = lru(cacheSize);
        this.newestBySubject = lru(cacheSize);
    }

    private static <K> Map<K, Cached> lru(int size) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Cached> eldest) {
                return size() > size;
            }
        };
    }

    /**
     * Checks that the key-encryption key opens the keys in the store, making the check key on first use.
     *
     * @throws PersonalDataException naming the key-encryption key if it does not
     */
    void verify() {
        Optional<WrappedKey> check = store.newest(CHECK_SUBJECT);
        if (check.isEmpty()) {
            create(CHECK_SUBJECT);
            return;
        }
        WrappedKey k = check.get();
        if (kek.unwrap(k.wrapped(), k.keyId(), k.subject()) == null) {
            throw wrongKek();
        }
    }

    private PersonalDataException wrongKek() {
        return new PersonalDataException("the key-encryption key from " + kek.description() + " does not open the"
                + " data keys stored beside these events: it is not the key they were wrapped with. Nothing was"
                + " written; start with the right key");
    }

    /**
     * The keys made for one append, not stored yet: the append stores them (in its own transaction where the event
     * store can, see {@link dev.relato.spi.AppendedDataKeys}). Used by the appending thread only.
     */
    static final class Made {
        private final Map<String, Key> bySubject = new HashMap<>();
        private final List<WrappedKey> wrapped = new ArrayList<>();

        /** The wrapped keys to store with the append, in the order they were made. */
        List<WrappedKey> wrapped() {
            return wrapped;
        }
    }

    /**
     * The subject's newest key; if it has none, one made now and kept in {@code made}, for the append to store with
     * the events it encrypts.
     */
    Key current(String subject, Made made) {
        Key pending = made.bySubject.get(subject);
        if (pending != null) {
            return pending;
        }
        long now = System.nanoTime();
        synchronized (this) {
            Cached c = newestBySubject.get(subject);
            if (c != null && now - c.loadedAt < ttlNanos) {
                return c.key;
            }
        }
        Optional<WrappedKey> stored = store.newest(subject);
        if (stored.isEmpty()) {
            // not remembered: the append storing it may fail, or commit in a caller's transaction that rolls back,
            // and the next event of the subject must not be encrypted under a key that is gone
            byte[] bytes = Aes.newKey();
            WrappedKey wrapped = wrap(subject, bytes);
            Key fresh = new Key(wrapped.keyId(), subject, Aes.key(bytes));
            made.bySubject.put(subject, fresh);
            made.wrapped.add(wrapped);
            return fresh;
        }
        Key key = unwrap(stored.get());
        remember(key, true);
        return key;
    }

    /**
     * Notes that the keys made for an append are stored with it, so that reads find them without the store. Not as
     * their subjects' newest: the append may have been made in a caller's transaction that can still roll back.
     */
    void stored(Made made) {
        made.bySubject.values().forEach(k -> remember(k, false));
    }

    /** A new newest key for the subject: new data is encrypted with it, older keys still read. */
    Key rotate(String subject) {
        Key key = create(subject);
        remember(key, true);
        return key;
    }

    /** The key with this id, or empty if it was destroyed (its subject forgotten). */
    Optional<Key> find(UUID id) {
        long now = System.nanoTime();
        Cached r = recent;
        if (r != null && r.key.id().equals(id) && now - r.loadedAt < ttlNanos) {
            return Optional.of(r.key);
        }
        synchronized (this) {
            Cached c = byId.get(id);
            if (c != null && now - c.loadedAt < ttlNanos) {
                recent = c;
                return Optional.of(c.key);
            }
        }
        Optional<WrappedKey> stored = store.find(id);
        if (stored.isEmpty()) {
            synchronized (this) {
                byId.remove(id);
            }
            return Optional.empty();
        }
        Key key = unwrap(stored.get());
        remember(key, false);
        return Optional.of(key);
    }

    /** The ids of the subject's stored keys. */
    List<UUID> keyIdsOf(String subject) {
        return store.keysOf(subject).stream().map(WrappedKey::keyId).toList();
    }

    /** Destroys the subject's keys, here and in the store. */
    int forget(String subject) {
        synchronized (this) {
            recent = null;
            newestBySubject.remove(subject);
            byId.values().removeIf(c -> c.key.subject().equals(subject));
        }
        return store.destroy(subject);
    }

    private Key create(String subject) {
        byte[] bytes = Aes.newKey();
        WrappedKey key = wrap(subject, bytes);
        store.add(key);
        return new Key(key.keyId(), subject, Aes.key(bytes));
    }

    private WrappedKey wrap(String subject, byte[] bytes) {
        UUID id = UUID.randomUUID();
        return new WrappedKey(id, subject, kek.wrap(bytes, id, subject),
                clock.instant().truncatedTo(ChronoUnit.MICROS));
    }

    private Key unwrap(WrappedKey stored) {
        byte[] bytes = kek.unwrap(stored.wrapped(), stored.keyId(), stored.subject());
        if (bytes == null) {
            throw wrongKek();
        }
        return new Key(stored.keyId(), stored.subject(), Aes.key(bytes));
    }

    private synchronized void remember(Key key, boolean newest) {
        Cached c = new Cached(key, System.nanoTime());
        byId.put(key.id(), c);
        if (newest) {
            newestBySubject.put(key.subject(), c);
        }
    }

    /**
     * Re-wraps every stored key from one key-encryption key to another, without touching events.
     *
     * @return the number of keys re-wrapped
     * @throws PersonalDataException if {@code from} does not open a stored key; keys re-wrapped before stay so
     */
    static int rewrap(DataKeyStore store, KeyEncryptionKey from, KeyEncryptionKey to) {
        int count = 0;
        for (UUID id : store.keyIds()) {
            Optional<WrappedKey> k = store.find(id);
            if (k.isEmpty()) {
                continue;
            }
            byte[] wrapped = k.get().wrapped();
            byte[] plain = from.unwrap(wrapped, id, k.get().subject());
            if (plain == null) {
                if (to.unwrap(wrapped, id, k.get().subject()) != null) {
                    continue; // re-wrapped by an earlier run
                }
                throw new PersonalDataException("data key " + id + " does not open with the key-encryption key from "
                        + from.description() + "; nothing was changed for it");
            }
            if (store.rewrap(id, to.wrap(plain, id, k.get().subject()))) {
                count++;
            }
        }
        return count;
    }
}
