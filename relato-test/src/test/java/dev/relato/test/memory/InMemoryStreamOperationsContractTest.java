package dev.relato.test.memory;

import dev.relato.EventStore;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.test.contract.StreamOperationsContract;

class InMemoryStreamOperationsContractTest extends StreamOperationsContract {

    @Override
    protected EventStore createStore() {
        return InMemoryEventStore.create();
    }
}
