package dev.relato.nats;

import dev.relato.projection.CheckpointStore;
import dev.relato.test.contract.CheckpointStoreContract;
import io.nats.client.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The checkpoint store contract against the machine's nats-server, each test in a bucket of its own. */
class NatsCheckpointStoreContractTest extends CheckpointStoreContract {
    private static Connection connection;
    private String bucket;

    @BeforeAll
    static void connect() {
        connection = NatsTestServer.connect();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        if (connection != null) {
            connection.close();
        }
    }

    @Override
    protected CheckpointStore createCheckpointStore() {
        bucket = NatsTestServer.uniqueName("relato-checkpoints");
        return NatsCheckpointStore.builder().connection(connection).bucket(bucket).build();
    }

    @Override
    protected void destroyCheckpointStore(CheckpointStore store) {
        ((NatsCheckpointStore) store).close();
        NatsTestServer.deleteStreams(connection, List.of("KV_" + bucket));
    }
}
