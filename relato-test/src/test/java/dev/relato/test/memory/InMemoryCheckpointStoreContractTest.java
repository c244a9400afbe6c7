package dev.relato.test.memory;

import dev.relato.projection.CheckpointStore;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.test.contract.CheckpointStoreContract;

class InMemoryCheckpointStoreContractTest extends CheckpointStoreContract {

    @Override
    protected CheckpointStore createCheckpointStore() {
        return new InMemoryCheckpointStore();
    }
}
