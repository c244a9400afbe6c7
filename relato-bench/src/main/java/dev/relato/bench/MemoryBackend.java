package dev.relato.bench;

import dev.relato.memory.InMemoryEventStore;
import dev.relato.privacy.InMemoryDataKeyStore;
import dev.relato.snapshot.InMemorySnapshotStore;
import java.util.List;
import java.util.Optional;

/** Relato's in-memory store: the framework's own cost, with no database under it. */
final class MemoryBackend extends Backend {
    /** Its {@link #kinds()}, known before it is opened. */
    static final List<String> KINDS = List.of(RELATO, RELATO_ENCRYPTED);

    @Override
    String name() {
        return "memory";
    }

    @Override
    String title() {
        return "memory: the in-memory store, no database (the framework's own cost)";
    }

    @Override
    List<String> kinds() {
        return KINDS;
    }

    @Override
    Subject open(String kind) {
        if (!kind.equals(RELATO) && !kind.equals(RELATO_ENCRYPTED)) {
            throw new IllegalArgumentException("memory has no subject '" + kind + "'");
        }
        InMemoryEventStore store = InMemoryEventStore.create();
        if (kind.equals(RELATO_ENCRYPTED)) {
            return RelatoSubject.encrypted(store, new InMemoryDataKeyStore(), new InMemorySnapshotStore(),
                    new ReadModel.InMemory(), store);
        }
        return new RelatoSubject(store, new InMemorySnapshotStore(), new ReadModel.InMemory(), store);
    }

    @Override
    Optional<List<String>> attachArguments() {
        return Optional.empty();
    }

    @Override
    void cleanUp() {
        // nothing outside the heap
    }
}
