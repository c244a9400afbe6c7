package dev.relato.test.memory;

import dev.relato.process.DeadlineStore;
import dev.relato.process.InMemoryDeadlineStore;
import dev.relato.test.contract.DeadlineStoreContract;

class InMemoryDeadlineStoreContractTest extends DeadlineStoreContract {

    @Override
    protected DeadlineStore createDeadlineStore() {
        return new InMemoryDeadlineStore();
    }
}
