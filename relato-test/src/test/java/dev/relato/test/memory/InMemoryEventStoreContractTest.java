package dev.relato.test.memory;

import dev.relato.EventStore;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.test.contract.EventStoreContract;

class InMemoryEventStoreContractTest extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        return InMemoryEventStore.create();
    }
}
