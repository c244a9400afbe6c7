package dev.relato.projection;

import java.util.Collections;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A {@link CheckpointStore} in a map: for tests and the in-memory event store. Thread-safe. */
public final class InMemoryCheckpointStore implements CheckpointStore {
    private final ConcurrentMap<String, Long> positions = new ConcurrentHashMap<>();
    private final Set<String> paused = ConcurrentHashMap.newKeySet();

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

    @Override
    public void pause(String consumer) {
        paused.add(CheckpointStore.validateName(consumer));
    }

    @Override
    public void resume(String consumer) {
        paused.remove(CheckpointStore.validateName(consumer));
    }

    @Override
    public boolean isPaused(String consumer) {
        return paused.contains(CheckpointStore.validateName(consumer));
    }

    @Override
    public SortedSet<String> loadPaused() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(paused));
    }
}
