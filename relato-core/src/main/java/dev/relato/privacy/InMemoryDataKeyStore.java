package dev.relato.privacy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link DataKeyStore} in memory, for tests and the in-memory event store. Thread-safe; forgets all on exit. */
public final class InMemoryDataKeyStore implements DataKeyStore {
    private static final Comparator<WrappedKey> AGE =
            Comparator.comparing(WrappedKey::createdAt).thenComparing(WrappedKey::keyId);
    private final ConcurrentHashMap<UUID, WrappedKey> keys = new ConcurrentHashMap<>();

    @Override
    public Optional<WrappedKey> newest(String subject) {
        return keysOf(subject).stream().max(AGE);
    }

    @Override
    public Optional<WrappedKey> find(UUID keyId) {
        return Optional.ofNullable(keys.get(Objects.requireNonNull(keyId, "keyId")));
    }

    @Override
    public void add(WrappedKey key) {
        keys.putIfAbsent(key.keyId(), key);
    }

    @Override
    public boolean rewrap(UUID keyId, byte[] wrapped) {
        return keys.computeIfPresent(keyId, (id, k) -> new WrappedKey(id, k.subject(), wrapped, k.createdAt()))
                != null;
    }

    @Override
    public List<WrappedKey> keysOf(String subject) {
        Objects.requireNonNull(subject, "subject");
        List<WrappedKey> of = new ArrayList<>();
        keys.values().stream().filter(k -> k.subject().equals(subject)).sorted(AGE).forEach(of::add);
        return of;
    }

    @Override
    public List<UUID> keyIds() {
        return List.copyOf(keys.keySet());
    }

    @Override
    public int destroy(String subject) {
        Objects.requireNonNull(subject, "subject");
        int[] count = new int[1];
        keys.values().removeIf(k -> {
            boolean of = k.subject().equals(subject);
            count[0] += of ? 1 : 0;
            return of;
        });
        return count[0];
    }
}
