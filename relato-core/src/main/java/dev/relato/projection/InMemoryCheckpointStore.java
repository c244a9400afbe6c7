package dev.relato.projection;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A {@link CheckpointStore} in a map: for tests and the in-memory event store. Thread-safe. */
public final class InMemoryCheckpointStore implements CheckpointStore {
    private final ConcurrentMap<String, Long> positions = new ConcurrentHashMap<>();

    /** An empty store. */
    public InMemoryCheckpointStore() {
    }

    @Override
    public long load(String consumer) {
        return positions.getOrDefault(CheckpointStore.validateName(consumer), 0L);
    }

    @Override
    public void save(String consumer, long position) {
        if (position < 0) {
            throw new IllegalArgumentException("checkpoint position must be 0 or more, got " + position);
        }
        positions.put(CheckpointStore.validateName(consumer), position);
    }

    @Override
    public void delete(String consumer) {
        positions.remove(CheckpointStore.validateName(consumer));
    }

    @Override
    public SortedMap<String, Long> loadAll() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(positions));
    }
}
