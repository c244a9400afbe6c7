package dev.relato.spring;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a test that needs nats-server with JetStream ({@code RELATO_NATS_URL}, default
 * {@code nats://127.0.0.1:4222}) when none answers; under {@code CI=true} the test runs and fails instead.
 */
final class NatsServerAnswers implements ExecutionCondition {
    static final String URL = System.getenv().getOrDefault("RELATO_NATS_URL", "nats://127.0.0.1:4222");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            return ConditionEvaluationResult.enabled("CI=true: NATS tests always run");
        }
        try (Connection connection = Nats.connect(new Options.Builder().server(URL)
                .connectionTimeout(Duration.ofSeconds(2)).maxReconnects(0).build())) {
            return connection.getServerInfo().isJetStreamAvailable()
                    ? ConditionEvaluationResult.enabled("nats-server with JetStream answers at " + URL)
                    : ConditionEvaluationResult.disabled("the nats-server at " + URL + " has no JetStream");
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return ConditionEvaluationResult.disabled("nats-server is not reachable at " + URL + ": " + e);
        }
    }
}
