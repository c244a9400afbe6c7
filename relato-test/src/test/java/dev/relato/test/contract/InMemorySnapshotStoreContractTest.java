package dev.relato.test.contract;

import dev.relato.snapshot.InMemorySnapshotStore;
import dev.relato.snapshot.SnapshotStore;

class InMemorySnapshotStoreContractTest extends SnapshotStoreContract {

    @Override
    protected SnapshotStore createSnapshotStore() {
        return new InMemorySnapshotStore();
    }
}
