package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Request spans over real HTTP: the caller's trace, the request's append and the projection's handling in one. */
class OrdersTracingTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();
    private Path directory;
    private OpenTelemetrySdk sdk;
    private OrdersApp app;

    @BeforeEach
    void start() throws Exception {
        directory = Files.createTempDirectory("relato-orders-tracing-");
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        app = OrdersApp.start(OrdersApp.Settings.of(OrdersApp.Store.SQLITE)
                .withUrl(directory.resolve("orders.db").toString()), UnaryOperator.identity(), sdk);
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        sdk.close();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Test
    void aRequestWithATraceparentTracesItsAppendAndTheProjectionInTheCallersTrace() throws Exception {
        HttpResponse<String> placed = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/orders"))
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"customer\":\"ada\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(placed.statusCode()).isEqualTo(201);
        String id = mapper.readTree(placed.body()).get("id").asText();
        JsonNode events = mapper.readTree(http.send(HttpRequest.newBuilder(URI.create(app.url() + "/orders/" + id
                + "/events")).build(), HttpResponse.BodyHandlers.ofString()).body());
        long position = events.get(0).get("position").asLong();
        ManagedProjection<?> orderList = app.projections().stream().filter(p -> p.name().equals("order-list"))
                .findFirst().orElseThrow();
        assertThat(orderList.runner().awaitPosition(position, Duration.ofSeconds(30))).isTrue();
        app.close();

        List<SpanData> trace = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(TRACE_ID)).toList();
        SpanData server = only(trace, s -> s.getKind() == SpanKind.SERVER);
        assertThat(server.getParentSpanId()).isEqualTo(CALLER_SPAN);
        assertThat(server.getName()).isEqualTo("POST");
        assertThat(server.getAttributes().asMap()).containsValues("/orders", 201L);
        SpanData append = only(trace, s -> s.getName().equals("append Order"));
        assertThat(append.getParentSpanId()).isEqualTo(server.getSpanId());
        SpanData handled = only(trace, s -> s.getName().equals("handle order-list"));
        assertThat(handled.getParentSpanId()).isEqualTo(append.getSpanId());
        assertThat(handled.getKind()).isEqualTo(SpanKind.CONSUMER);
    }

    @Test
    void aRequestWithoutATraceparentStartsItsOwnTrace() throws Exception {
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/orders/nope"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        app.close();

        SpanData server = only(spans.getFinishedSpanItems(), s -> s.getKind() == SpanKind.SERVER);
        assertThat(server.getParentSpanContext().isValid()).isFalse();
        assertThat(server.getAttributes().asMap()).containsValues("GET", "/orders/nope", 404L);
    }

    @Test
    void withoutATracesExporterNothingIsRecorded() {
        assertThat(OrdersTelemetry.configure(Map.of())).isSameAs(OpenTelemetry.noop());
        assertThat(OrdersTelemetry.configure(Map.of(OrdersTelemetry.TRACES_EXPORTER, "none")))
                .isSameAs(OpenTelemetry.noop());
    }

    @Test
    void theLoggingExporterConfiguresTheSdk() {
        OpenTelemetry configured = OrdersTelemetry.configure(Map.of(OrdersTelemetry.TRACES_EXPORTER, "logging"));
        try {
            assertThat(configured).isInstanceOf(OpenTelemetrySdk.class);
            assertThat(configured.getTracer("test").spanBuilder("probe").startSpan().getSpanContext().isValid())
                    .isTrue();
        } finally {
            OrdersTelemetry.close(configured);
        }
    }

    @Test
    void anUnknownTracesExporterFailsTheStart() {
        assertThatThrownBy(() -> OrdersTelemetry.configure(Map.of(OrdersTelemetry.TRACES_EXPORTER, "carrier-pigeon")))
                .hasMessageContaining("carrier-pigeon");
    }

    private static SpanData only(List<SpanData> spans, Predicate<SpanData> which) {
        List<SpanData> found = spans.stream().filter(which).toList();
        assertThat(found).as("%s", spans).hasSize(1);
        return found.get(0);
    }
}
