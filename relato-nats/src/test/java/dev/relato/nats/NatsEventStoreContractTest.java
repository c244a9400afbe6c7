package dev.relato.nats;

import dev.relato.EventStore;
import dev.relato.test.contract.EventStoreContract;
import io.nats.client.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The event store contract against the machine's nats-server, each test on a stream of its own. */
class NatsEventStoreContractTest extends EventStoreContract {
    private static Connection connection;
    private String streamName;

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
    protected EventStore createStore() {
        streamName = NatsTestServer.uniqueName("relato-contract");
        return NatsEventStore.builder().connection(connection).streamName(streamName).build();
    }

    @Override
    protected void destroyStore(EventStore store) {
        store.close();
        NatsTestServer.deleteEventStore(connection, streamName);
    }
}
