package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service's spans leave the process over OTLP/HTTP when the standard variables ask for it: a receiver in the
 * test (a JDK HTTP server taking {@code POST /v1/traces}) gets the request's spans under the configured service
 * name.
 */
class OrdersOtlpExportTest {
    private static final String SERVICE = "orders-otlp-export-test";

    /** One request the receiver took: its path, content type and body. */
    private record Received(String method, String path, String contentType, byte[] body) {
        boolean contains(String text) {
            return new String(body, StandardCharsets.ISO_8859_1)
                    .contains(new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        }
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer receiver;
    private Path directory;

    @BeforeEach
    void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", this::take);
        receiver.start();
        directory = Files.createTempDirectory("relato-orders-otlp-");
    }

    private void take(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), in.readAllBytes()));
        }
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: everything accepted
        exchange.close();
    }

    @AfterEach
    void stop() throws IOException {
        receiver.stop(0);
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Test
    void withTheOtlpExporterAndAnEndpointTheRequestSpansArriveAtTheReceiver() throws Exception {
        Map<String, String> environment = Map.of(
                "OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.getAddress().getPort(),
                "OTEL_SERVICE_NAME", SERVICE);
        OpenTelemetry openTelemetry = OrdersTelemetry.configure(
                OrdersTelemetry.properties(environment, new Properties()));
        try {
            OrdersApp app = OrdersApp.start(OrdersApp.Settings.of(OrdersApp.Store.SQLITE)
                    .withUrl(directory.resolve("orders.db").toString()), UnaryOperator.identity(), openTelemetry);
            try {
                HttpResponse<String> placed = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(app.url() + "/orders"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"customer\":\"ada\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(placed.statusCode()).isEqualTo(201);
            } finally {
                app.close();
            }
        } finally {
            OrdersTelemetry.close(openTelemetry); // flushes the batch of spans to the receiver
        }

        assertThat(received).isNotEmpty();
        assertThat(received).allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/v1/traces");
            assertThat(r.contentType()).isEqualTo("application/x-protobuf");
        });
        assertThat(received).anySatisfy(r -> assertThat(r.contains(SERVICE)).isTrue());
        assertThat(received).anySatisfy(r -> assertThat(r.contains("append Order")).isTrue());
        assertThat(received).anySatisfy(r -> assertThat(r.contains("/orders")).isTrue());
    }

    @Test
    void theEnvironmentsOtelVariablesBecomePropertiesAndSystemPropertiesWin() {
        java.util.Properties system = new Properties();
        system.setProperty("otel.service.name", "from-property");
        system.setProperty("user.home", "/ignored");
        Map<String, String> properties = OrdersTelemetry.properties(Map.of("OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_SERVICE_NAME", "from-environment",
                "PATH", "/bin"), system);
        assertThat(properties).containsExactlyInAnyOrderEntriesOf(Map.of("otel.traces.exporter", "otlp",
                "otel.exporter.otlp.endpoint", "http://collector:4318", "otel.service.name", "from-property"));
    }
}
