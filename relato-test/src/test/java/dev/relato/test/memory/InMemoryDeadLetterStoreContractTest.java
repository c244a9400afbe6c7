package dev.relato.test.memory;

import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.InMemoryDeadLetterStore;
import dev.relato.test.contract.DeadLetterStoreContract;

class InMemoryDeadLetterStoreContractTest extends DeadLetterStoreContract {

    @Override
    protected DeadLetterStore createDeadLetterStore() {
        return new InMemoryDeadLetterStore();
    }
}
