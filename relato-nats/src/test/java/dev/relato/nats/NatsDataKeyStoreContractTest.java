package dev.relato.nats;

import dev.relato.privacy.DataKeyStore;
import dev.relato.test.contract.DataKeyStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The data key store contract against the machine's nats-server, each test beside an event stream of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsDataKeyStoreContractTest extends DataKeyStoreContract {
    private String streamName;
    private NatsEventStore store;

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected DataKeyStore createKeyStore() {
        streamName = NatsTestServer.uniqueName("relato-keys");
        store = NatsEventStore.builder().connection(NatsTestServer.shared()).streamName(streamName).build();
        return store.dataKeys();
    }

    @Override
    protected void destroyKeyStore(DataKeyStore keys) {
        store.close();
        NatsTestServer.deleteEventStore(NatsTestServer.shared(), streamName);
    }
}
