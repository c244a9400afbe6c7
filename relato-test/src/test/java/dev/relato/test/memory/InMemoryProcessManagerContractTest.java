package dev.relato.test.memory;

import dev.relato.EventStore;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.process.DeadlineStore;
import dev.relato.process.InMemoryDeadlineStore;
import dev.relato.test.contract.ProcessManagerContract;

class InMemoryProcessManagerContractTest extends ProcessManagerContract {
    private final DeadlineStore deadlines = new InMemoryDeadlineStore();

    @Override
    protected EventStore createStore() {
        return InMemoryEventStore.create();
    }

    @Override
    protected DeadlineStore deadlines(EventStore store) {
        return deadlines;
    }
}
