package dev.relato.test.memory;

import dev.relato.snapshot.InMemorySnapshotStore;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.SnapshotStoreContract;

class InMemorySnapshotStoreContractTest extends SnapshotStoreContract {

    @Override
    protected SnapshotStore createSnapshotStore() {
        return new InMemorySnapshotStore();
    }
}
