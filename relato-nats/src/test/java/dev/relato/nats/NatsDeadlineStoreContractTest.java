package dev.relato.nats;

import dev.relato.process.DeadlineStore;
import dev.relato.test.contract.DeadlineStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The deadline store contract against the machine's nats-server, each test beside an event stream of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsDeadlineStoreContractTest extends DeadlineStoreContract {
    private String streamName;
    private NatsEventStore owner;

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected DeadlineStore createDeadlineStore() {
        streamName = NatsTestServer.uniqueName("relato-deadlines");
        owner = NatsEventStore.builder().connection(NatsTestServer.shared()).streamName(streamName).build();
        return owner.deadlines();
    }

    @Override
    protected void destroyDeadlineStore(DeadlineStore store) {
        owner.close();
        NatsTestServer.deleteEventStore(NatsTestServer.shared(), streamName);
    }
}
