package dev.relato.nats;

import dev.relato.EventStore;
import dev.relato.test.contract.StreamOperationsContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The stream operations contract against the machine's nats-server, each test on a JetStream stream of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsStreamOperationsContractTest extends StreamOperationsContract {

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected EventStore createStore() {
        return NatsEventStore.builder().connection(NatsTestServer.shared())
                .streamName(NatsTestServer.uniqueName("relato-ops")).build();
    }

    @Override
    protected void destroyStore(EventStore store) {
        NatsEventStore nats = (NatsEventStore) store;
        nats.close();
        NatsTestServer.deleteEventStore(NatsTestServer.shared(), nats.streamName());
    }
}
