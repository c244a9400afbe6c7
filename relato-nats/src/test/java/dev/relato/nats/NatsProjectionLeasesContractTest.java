package dev.relato.nats;

import dev.relato.test.contract.ProjectionLeasesContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The projection lease contract against the machine's nats-server, each test beside an event store of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsProjectionLeasesContractTest extends ProjectionLeasesContract {

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected LeaseTable createLeaseTable() {
        NatsEventStore store = NatsEventStore.builder().connection(NatsTestServer.shared())
                .streamName(NatsTestServer.uniqueName("relato-leases")).build();
        return new LeaseTable() {
            @Override
            public NatsProjectionLeases node(String nodeId) {
                return store.leases(nodeId);
            }

            @Override
            public void close() {
                store.close();
                NatsTestServer.deleteEventStore(NatsTestServer.shared(), store.streamName());
            }
        };
    }
}
