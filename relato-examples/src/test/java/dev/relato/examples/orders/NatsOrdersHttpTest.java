package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.ProjectionState;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
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
        return OrdersApp.Settings.of(OrdersApp.Store.NATS).withKeyFile(TestKeys.file()).withUrl(URL).withStream(stream);
    }

    @Test
    void deadLettersOutliveARestart() throws Exception {
        String own = "relato-orders-restart-" + UUID.randomUUID().toString().substring(0, 8);
        OrdersApp.Settings settings = OrdersApp.Settings.of(OrdersApp.Store.NATS).withKeyFile(TestKeys.file()).withUrl(URL).withStream(own);
        try {
            DeadLetter skipped;
            try (OrdersApp first = OrdersApp.start(settings)) {
                String poisoned = "poison-" + UUID.randomUUID();
                first.store().append(new StreamId(OrdersService.CATEGORY, poisoned), ExpectedVersion.noStream(),
                        List.of(EventData.of("OrderLineAdded", "{\"orderId\":\"" + poisoned + "\"}")));
                ManagedProjection<?> orderList = orderList(first);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (orderList.runner().status().state() != ProjectionState.FAILED) {
                    assertThat(System.nanoTime() < deadline).as("the order list stops at the poison event").isTrue();
                    orderList.runner().awaitPosition(Long.MAX_VALUE, Duration.ofMillis(50));
                }
                skipped = orderList.skip();
            }
            try (OrdersApp second = OrdersApp.start(settings)) {
                assertThat(orderList(second).deadLetters()).contains(skipped);
            }
        } finally {
            drop(own);
        }
    }

    private static ManagedProjection<?> orderList(OrdersApp app) {
        return app.projections().stream().filter(p -> p.name().equals("order-list")).findFirst().orElseThrow();
    }

    @Override
    void dropData() throws Exception {
        drop(stream);
    }

    private static void drop(String stream) throws Exception {
        Connection nats = connect();
        try {
            for (String name : List.of(stream, "KV_" + stream + "-event-ids", "KV_" + stream + "-dead-letters")) {
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
