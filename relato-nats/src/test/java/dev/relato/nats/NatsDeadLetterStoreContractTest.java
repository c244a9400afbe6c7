package dev.relato.nats;

import dev.relato.projection.DeadLetterStore;
import dev.relato.test.contract.DeadLetterStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dead-letter store contract against the machine's nats-server, each test beside an event store of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsDeadLetterStoreContractTest extends DeadLetterStoreContract {
    private NatsEventStore store;

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected DeadLetterStore createDeadLetterStore() {
        store = NatsEventStore.builder().connection(NatsTestServer.shared())
                .streamName(NatsTestServer.uniqueName("relato-dead-letters")).build();
        return store.deadLetters();
    }

    @Override
    protected void destroyDeadLetterStore(DeadLetterStore deadLetters) {
        store.close();
        NatsTestServer.deleteEventStore(NatsTestServer.shared(), store.streamName());
    }
}
