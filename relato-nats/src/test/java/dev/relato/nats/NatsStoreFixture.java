package dev.relato.nats;

import io.nats.client.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tests of {@link NatsEventStore} against the machine's nats-server: each test gets a connection and a store
 * on a JetStream stream of its own, and every stream it creates is deleted afterwards.
 */
@ExtendWith(NatsServerCondition.class)
abstract class NatsStoreFixture {
    protected Connection connection;
    protected String streamName;
    protected NatsEventStore store;
    private final List<String> streams = new ArrayList<>();

    @BeforeEach
    void openStore() {
        connection = NatsTestServer.connect();
        streamName = NatsTestServer.uniqueName("relato-test");
        store = NatsEventStore.builder().connection(connection).streamName(streamName).build();
        streams.add(streamName);
    }

    @AfterEach
    void deleteStreams() throws InterruptedException {
        if (store != null) {
            store.close();
        }
        if (connection != null) {
            streams.forEach(name -> NatsTestServer.deleteEventStore(connection, name));
            connection.close();
        }
    }

    /** Another store on a new stream of its own, configured by {@code settings}; the caller closes it. */
    protected NatsEventStore newStore(UnaryOperator<NatsEventStore.Builder> settings) {
        String name = NatsTestServer.uniqueName("relato-test");
        streams.add(name);
        return settings.apply(NatsEventStore.builder().connection(connection).streamName(name)).build();
    }

    /** Another store on this test's stream, with its own connection; the caller closes it. */
    protected NatsEventStore sameStream() {
        return NatsEventStore.builder().url(NatsTestServer.URL).streamName(streamName).build();
    }
}
