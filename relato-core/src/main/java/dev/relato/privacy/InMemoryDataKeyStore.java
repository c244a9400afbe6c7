package dev.relato.privacy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** A {@link DataKeyStore} in memory, for tests and the in-memory event store. Thread-safe; forgets all on exit. */
public final class InMemoryDataKeyStore implements DataKeyStore {
    private static final Comparator<WrappedKey> AGE =
            Comparator.comparing(WrappedKey::createdAt).thenComparing(WrappedKey::keyId);
    private final Map<UUID, WrappedKey> keys = new HashMap<>();
    /** The keys of each subject, oldest first, so that finding a subject's newest key does not scan every key. */
    private final Map<String, List<WrappedKey>> bySubject = new HashMap<>();

    @Override
    public synchronized Optional<WrappedKey> newest(String subject) {
        List<WrappedKey> of = bySubject.get(Objects.requireNonNull(subject, "subject"));
        return of == null ? Optional.empty() : Optional.of(of.get(of.size() - 1));
    }

    @Override
    public synchronized Optional<WrappedKey> find(UUID keyId) {
        return Optional.ofNullable(keys.get(Objects.requireNonNull(keyId, "keyId")));
    }

    @Override
    public synchronized void add(WrappedKey key) {
        if (keys.putIfAbsent(key.keyId(), key) == null) {
            List<WrappedKey> of = bySubject.computeIfAbsent(key.subject(), s -> new ArrayList<>());
            of.add(key);
            of.sort(AGE);
        }
    }

    @Override
    public synchronized boolean rewrap(UUID keyId, byte[] wrapped) {
        WrappedKey old = keys.get(keyId);
        if (old == null) {
            return false;
        }
        WrappedKey key = new WrappedKey(keyId, old.subject(), wrapped, old.createdAt());
        keys.put(keyId, key);
        List<WrappedKey> of = bySubject.get(old.subject());
        of.set(of.indexOf(old), key);
        return true;
    }

    @Override
    public synchronized List<WrappedKey> keysOf(String subject) {
        return List.copyOf(bySubject.getOrDefault(Objects.requireNonNull(subject, "subject"), List.of()));
    }

    @Override
    public synchronized List<UUID> keyIds() {
        return List.copyOf(keys.keySet());
    }

    @Override
    public synchronized int destroy(String subject) {
        List<WrappedKey> of = bySubject.remove(Objects.requireNonNull(subject, "subject"));
        if (of == null) {
            return 0;
        }
        of.forEach(k -> keys.remove(k.keyId()));
        return of.size();
    }
}
