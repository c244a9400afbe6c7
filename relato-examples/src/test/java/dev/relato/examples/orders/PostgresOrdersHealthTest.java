package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relato.postgres.PrivateServer;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code GET /health} answers 503 naming the store once the service's PostgreSQL server (a private one) is stopped. */
class PostgresOrdersHealthTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void healthTurns503WhenTheDatabaseIsStopped() throws Exception {
        if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
            Assumptions.assumeTrue(PrivateServer.available(), "no PostgreSQL binaries to start a private server");
        }
        try (PrivateServer server = PrivateServer.start()) {
            OrdersApp app = OrdersApp.start(OrdersApp.Settings.of(OrdersApp.Store.POSTGRES).withKeyFile(TestKeys.file()).withUrl(server.url()),
                    UnaryOperator.identity(), OpenTelemetry.noop());
            try {
                HttpResponse<String> up = health(app);
                assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
                assertThat(mapper.readTree(up.body()).get("status").asText()).isEqualTo("up");

                server.stop();

                HttpResponse<String> down = health(app);
                assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
                JsonNode body = mapper.readTree(down.body());
                assertThat(body.get("status").asText()).isEqualTo("down");
                assertThat(body.get("failing").toString()).contains("store");
                assertThat(body.get("store").get("status").asText()).isEqualTo("down");
                assertThat(body.get("store").get("detail").asText()).isNotBlank();
            } finally {
                app.close();
            }
        }
    }

    private HttpResponse<String> health(OrdersApp app) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(app.url() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
