package dev.relato.test.contract;

import dev.relato.projection.CheckpointStore;
import dev.relato.projection.InMemoryCheckpointStore;

class InMemoryCheckpointStoreContractTest extends CheckpointStoreContract {

    @Override
    protected CheckpointStore createCheckpointStore() {
        return new InMemoryCheckpointStore();
    }
}
