package dev.relato.test.memory;

import dev.relato.EventStore;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.test.contract.CommandBusContract;

class InMemoryCommandBusContractTest extends CommandBusContract {

    @Override
    protected EventStore createStore() {
        return InMemoryEventStore.create();
    }
}
