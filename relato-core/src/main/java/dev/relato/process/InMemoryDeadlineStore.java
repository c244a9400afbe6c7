package dev.relato.process;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Deadlines in memory, for tests and the in-memory store; lost when the process ends. Thread-safe. */
public final class InMemoryDeadlineStore implements DeadlineStore {
    private final Map<UUID, Deadline> deadlines = new ConcurrentHashMap<>();

    @Override
    public void schedule(Deadline deadline) {
        deadlines.put(deadline.id(), Objects.requireNonNull(deadline, "deadline must not be null"));
    }

    @Override
    public boolean cancel(UUID id) {
        return deadlines.remove(Objects.requireNonNull(id, "id must not be null")) != null;
    }

    @Override
    public Optional<Deadline> find(UUID id) {
        return Optional.ofNullable(deadlines.get(Objects.requireNonNull(id, "id must not be null")));
    }

    @Override
    public List<Deadline> due(String process, Instant now, int limit) {
        DeadlineStore.checkDue(process, now, limit);
        return deadlines.values().stream().filter(d -> d.process().equals(process) && !d.due().isAfter(now))
                .sorted(Comparator.comparing(Deadline::due).thenComparing(Deadline::id)).limit(limit).toList();
    }

    @Override
    public boolean remove(Deadline deadline) {
        return deadlines.remove(deadline.id(), deadline);
    }

    @Override
    public String toString() {
        return "InMemoryDeadlineStore[" + deadlines.size() + " deadlines]";
    }
}
