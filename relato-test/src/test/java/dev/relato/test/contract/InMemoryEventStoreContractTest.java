package dev.relato.test.contract;

import dev.relato.EventStore;
import dev.relato.memory.InMemoryEventStore;

class InMemoryEventStoreContractTest extends EventStoreContract {

    @Override
    protected EventStore createStore() {
        return InMemoryEventStore.builder().maxEventBytes(maxEventBytes()).build();
    }
}
