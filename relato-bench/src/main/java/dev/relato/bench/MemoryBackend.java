package dev.relato.bench;

import dev.relato.memory.InMemoryEventStore;
import dev.relato.snapshot.InMemorySnapshotStore;
import java.util.List;
import java.util.Optional;

/** Relato's in-memory store: the framework's own cost, with no database under it. */
final class MemoryBackend extends Backend {

    @Override
    String name() {
        return "memory";
    }

    @Override
    Subject openRelato() {
        InMemoryEventStore store = InMemoryEventStore.create();
        return new RelatoSubject(store, new InMemorySnapshotStore(), new ReadModel.InMemory(), store);
    }

    @Override
    Optional<Subject> openJdbc() {
        return Optional.empty();
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
