package dev.relato.nats;

import dev.relato.StoreCompanions;
import dev.relato.test.contract.StoreCompanionsContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The companions contract against the machine's nats-server: every store on a stream and buckets of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsStoreCompanionsContractTest extends StoreCompanionsContract {

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected StoreCompanions createStore() {
        return NatsEventStore.builder().connection(NatsTestServer.shared())
                .streamName(NatsTestServer.uniqueName("relato-companions")).build();
    }

    @Override
    protected void destroyStore(StoreCompanions store) {
        NatsEventStore nats = (NatsEventStore) store;
        nats.close();
        NatsTestServer.deleteEventStore(NatsTestServer.shared(), nats.streamName());
    }
}
