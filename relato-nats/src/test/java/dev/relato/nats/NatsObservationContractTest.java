package dev.relato.nats;

import dev.relato.EventStore;
import dev.relato.observe.RelatoObserver;
import dev.relato.test.contract.ObservationContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The observation contract against the machine's nats-server, each test on a stream of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsObservationContractTest extends ObservationContract {
    private String streamName;

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected EventStore createStore(RelatoObserver observer) {
        streamName = NatsTestServer.uniqueName("relato-observation");
        return NatsEventStore.builder().connection(NatsTestServer.shared()).streamName(streamName).observer(observer)
                .build();
    }

    @Override
    protected String storeName() {
        return "nats";
    }

    @Override
    protected void destroyStore(EventStore store) {
        store.close();
        NatsTestServer.deleteEventStore(NatsTestServer.shared(), streamName);
    }
}
