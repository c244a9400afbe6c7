package dev.relato.test.memory;

import dev.relato.StoreCompanions;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.test.contract.StoreCompanionsContract;

class InMemoryStoreCompanionsContractTest extends StoreCompanionsContract {

    @Override
    protected StoreCompanions createStore() {
        return InMemoryEventStore.create();
    }
}
