package dev.relato.nats;

import dev.relato.EventStore;
import dev.relato.test.contract.CommandBusContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The command bus contract against the machine's nats-server, each test on a stream of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsCommandBusContractTest extends CommandBusContract {
    private String streamName;

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected EventStore createStore() {
        streamName = NatsTestServer.uniqueName("relato-commands");
        return NatsEventStore.builder().connection(NatsTestServer.shared()).streamName(streamName).build();
    }

    @Override
    protected void destroyStore(EventStore store) {
        store.close();
        NatsTestServer.deleteEventStore(NatsTestServer.shared(), streamName);
    }
}
