package dev.relato.test.memory;

import dev.relato.EventStore;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.observe.RelatoObserver;
import dev.relato.test.contract.ObservationContract;

class InMemoryObservationContractTest extends ObservationContract {

    @Override
    protected EventStore createStore(RelatoObserver observer) {
        return InMemoryEventStore.builder().observer(observer).build();
    }

    @Override
    protected String storeName() {
        return "memory";
    }
}
