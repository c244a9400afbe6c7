package dev.relato.projection;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** A {@link DeadLetterStore} in memory: for tests and the in-memory event store. Thread-safe. */
public final class InMemoryDeadLetterStore implements DeadLetterStore {
    private final ConcurrentMap<String, ConcurrentSkipListMap<Long, DeadLetter>> letters = new ConcurrentHashMap<>();
    private final Set<DeadLetterKey> requests = ConcurrentHashMap.newKeySet();

    private record DeadLetterKey(String projection, long position) {
    }

    /** An empty store. */
    public InMemoryDeadLetterStore() {
    }

    @Override
    public void add(DeadLetter deadLetter) {
        letters.computeIfAbsent(deadLetter.projection(), p -> new ConcurrentSkipListMap<>())
                .put(deadLetter.position(), deadLetter);
        requests.remove(new DeadLetterKey(deadLetter.projection(), deadLetter.position()));
    }

    @Override
    public List<DeadLetter> list(String projection) {
        Map<Long, DeadLetter> of = letters.get(CheckpointStore.validateName(projection));
        return of == null ? List.of() : List.copyOf(of.values());
    }

    @Override
    public Optional<DeadLetter> find(String projection, long position) {
        Map<Long, DeadLetter> of = letters.get(CheckpointStore.validateName(projection));
        return of == null ? Optional.empty() : Optional.ofNullable(of.get(position));
    }

    @Override
    public boolean remove(String projection, long position) {
        Map<Long, DeadLetter> of = letters.get(CheckpointStore.validateName(projection));
        requests.remove(new DeadLetterKey(projection, position));
        return of != null && of.remove(position) != null;
    }

    @Override
    public boolean requestReplay(String projection, long position) {
        if (find(projection, position).isEmpty()) {
            return false;
        }
        requests.add(new DeadLetterKey(projection, position));
        return true;
    }

    @Override
    public List<Long> replayRequests(String projection) {
        CheckpointStore.validateName(projection);
        return requests.stream().filter(r -> r.projection().equals(projection)).map(DeadLetterKey::position).sorted()
                .toList();
    }
}
