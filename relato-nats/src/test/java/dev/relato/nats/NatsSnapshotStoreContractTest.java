package dev.relato.nats;

import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.SnapshotStoreContract;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The snapshot store contract against the machine's nats-server, each test in a bucket of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsSnapshotStoreContractTest extends SnapshotStoreContract {
    private String bucket;

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected SnapshotStore createSnapshotStore() {
        bucket = NatsTestServer.uniqueName("relato-snapshots");
        return NatsSnapshotStore.builder().connection(NatsTestServer.shared()).bucket(bucket).build();
    }

    @Override
    protected void destroySnapshotStore(SnapshotStore store) {
        ((NatsSnapshotStore) store).close();
        NatsTestServer.deleteStreams(NatsTestServer.shared(), List.of("KV_" + bucket));
    }
}
