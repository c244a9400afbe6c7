package dev.relato.nats;

import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.SnapshotStoreContract;
import io.nats.client.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The snapshot store contract against the machine's nats-server, each test in a bucket of its own. */
class NatsSnapshotStoreContractTest extends SnapshotStoreContract {
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
    protected SnapshotStore createSnapshotStore() {
        bucket = NatsTestServer.uniqueName("relato-snapshots");
        return NatsSnapshotStore.builder().connection(connection).bucket(bucket).build();
    }

    @Override
    protected void destroySnapshotStore(SnapshotStore store) {
        ((NatsSnapshotStore) store).close();
        NatsTestServer.deleteStreams(connection, List.of("KV_" + bucket));
    }
}
