package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The service on NATS JetStream ({@code RELATO_NATS_URL}, default {@code nats://127.0.0.1:4222}), in a
 * stream of its own that is deleted after. Fails under {@code CI=true} if the server is unreachable;
 * skipped elsewhere.
 */
class NatsOrdersHttpTest extends OrdersHttpContract {
    /** JetStream's error code for a stream that does not exist. */
    private static final int STREAM_NOT_FOUND = 10059;
    private static final String URL = System.getenv().getOrDefault("RELATO_NATS_URL", "nats://127.0.0.1:4222");
    private final String stream = "relato-orders-test-" + UUID.randomUUID().toString().substring(0, 8);

    @Override
    OrdersApp.Settings settings() throws Exception {
        connect().close();
        return OrdersApp.Settings.of(OrdersApp.Store.NATS).withUrl(URL).withStream(stream);
    }

    @Override
    void dropData() throws Exception {
        Connection nats = connect();
        try {
            for (String name : List.of(stream, "KV_" + stream + "-event-ids")) {
                try {
                    nats.jetStreamManagement().deleteStream(name);
                } catch (JetStreamApiException e) {
                    if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                        throw e;
                    }
                }
            }
        } finally {
            nats.close();
        }
    }

    private static Connection connect() throws InterruptedException {
        try {
            return Nats.connect(new Options.Builder().server(URL).connectionTimeout(Duration.ofSeconds(3)).build());
        } catch (IOException e) {
            String message = "nats-server with JetStream is not reachable at " + URL + " (" + e + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            assumeTrue(false, message);
            throw new AssertionError(message);
        }
    }
}
