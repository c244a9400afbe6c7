package dev.relato.examples.orders;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The service on NATS JetStream ({@code RELATO_NATS_URL}, default {@code nats://127.0.0.1:4222}), in a
 * stream of its own that is deleted after. Fails under {@code CI=true} if the server is unreachable;
 * elsewhere every test is reported as skipped.
 */
@ExtendWith(NatsOrdersHttpTest.ServerAnswers.class)
class NatsOrdersHttpTest extends OrdersHttpContract {
    /** JetStream's error code for a stream that does not exist. */
    private static final int STREAM_NOT_FOUND = 10059;
    private static final String URL = System.getenv().getOrDefault("RELATO_NATS_URL", "nats://127.0.0.1:4222");
    private final String stream = "relato-orders-test-" + UUID.randomUUID().toString().substring(0, 8);

    /**
     * Disables the class, before its set-up starts the service, when no nats-server answers outside CI; its
     * tests are then reported as skipped rather than not at all.
     */
    static final class ServerAnswers implements ExecutionCondition {
        private static ConditionEvaluationResult verdict; // guarded by ServerAnswers.class; probed once per JVM

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            synchronized (ServerAnswers.class) {
                if (verdict == null) {
                    verdict = probe();
                }
                return verdict;
            }
        }

        private static ConditionEvaluationResult probe() {
            try {
                connect().close();
                return ConditionEvaluationResult.enabled("nats-server answers at " + URL);
            } catch (IOException e) {
                String message = "nats-server with JetStream is not reachable at " + URL + " (" + e + ")";
                return "true".equalsIgnoreCase(System.getenv("CI"))
                        ? ConditionEvaluationResult.enabled("CI=true: the tests run and fail: " + message)
                        : ConditionEvaluationResult.disabled(message);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ConditionEvaluationResult.disabled("interrupted while looking for nats-server at " + URL);
            }
        }
    }

    @Override
    OrdersApp.Settings settings() {
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

    private static Connection connect() throws IOException, InterruptedException {
        return Nats.connect(new Options.Builder().server(URL).connectionTimeout(Duration.ofSeconds(3))
                .maxReconnects(0).build());
    }
}
