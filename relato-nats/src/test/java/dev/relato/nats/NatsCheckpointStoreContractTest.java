package dev.relato.nats;

import dev.relato.projection.CheckpointStore;
import dev.relato.test.contract.CheckpointStoreContract;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The checkpoint store contract against the machine's nats-server, each test in a bucket of its own. */
@ExtendWith(NatsServerCondition.class)
class NatsCheckpointStoreContractTest extends CheckpointStoreContract {
    private String bucket;

    @AfterAll
    static void disconnect() throws InterruptedException {
        NatsTestServer.closeShared();
    }

    @Override
    protected CheckpointStore createCheckpointStore() {
        bucket = NatsTestServer.uniqueName("relato-checkpoints");
        return NatsCheckpointStore.builder().connection(NatsTestServer.shared()).bucket(bucket).build();
    }

    @Override
    protected void destroyCheckpointStore(CheckpointStore store) {
        ((NatsCheckpointStore) store).close();
        NatsTestServer.deleteStreams(NatsTestServer.shared(), List.of("KV_" + bucket));
    }
}
