package dev.relato.nats;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips the tests of a class that needs the machine's nats-server when none answers, each test reported as
 * skipped (an assumption failing in class set-up would report no tests at all). Classes run, so their
 * class set-up must not need the server; nested classes inherit the condition. Under {@code CI=true} the
 * tests run anyway and fail on the missing server. The server is probed once per JVM.
 */
final class NatsServerCondition implements ExecutionCondition {
    private static volatile String unreachable; // null: not probed yet; "": reachable

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("the condition applies to each test");
        }
        String problem = probe();
        if (problem.isEmpty()) {
            return ConditionEvaluationResult.enabled("nats-server answers at " + NatsTestServer.URL);
        }
        if (NatsTestServer.inCi()) {
            return ConditionEvaluationResult.enabled("CI=true: the tests run and fail: " + problem);
        }
        return ConditionEvaluationResult.disabled(problem);
    }

    private static String probe() {
        String result = unreachable;
        if (result == null) {
            synchronized (NatsServerCondition.class) {
                if (unreachable == null) {
                    unreachable = connect();
                }
                result = unreachable;
            }
        }
        return result;
    }

    private static String connect() {
        try {
            Connection connection = Nats.connect(new Options.Builder().server(NatsTestServer.URL)
                    .connectionTimeout(Duration.ofSeconds(2)).maxReconnects(0).build());
            boolean jetStream = connection.getServerInfo() == null || connection.getServerInfo().isJetStreamAvailable();
            connection.close();
            return jetStream ? "" : "the nats-server at " + NatsTestServer.URL + " has no JetStream; start it with -js";
        } catch (IOException e) {
            return "nats-server with JetStream is not reachable at " + NatsTestServer.URL + " (" + e
                    + "); start one (nats-server -js) or set RELATO_NATS_URL";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while looking for nats-server at " + NatsTestServer.URL;
        }
    }
}
