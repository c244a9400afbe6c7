package dev.relato.examples.orders;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The service's OpenTelemetry, configured by the standard {@code OTEL_*} environment variables (or the matching
 * {@code otel.*} system properties, which win) through the SDK's autoconfiguration. Off by default: unless
 * {@code OTEL_TRACES_EXPORTER} names an exporter, the no-op OpenTelemetry is used and nothing is recorded or sent.
 * The jar carries the {@code otlp} exporter over HTTP/protobuf (the default here, as the OpenTelemetry
 * specification recommends, with {@code OTEL_EXPORTER_OTLP_ENDPOINT} such as {@code http://collector:4318} and
 * {@code OTEL_SERVICE_NAME} as the SDK documents them; sent with the JDK's HTTP client, so gRPC is not available
 * and {@code OTEL_EXPORTER_OTLP_PROTOCOL=grpc} fails the start) and the {@code logging} exporter. Metrics and logs are
 * never exported through OpenTelemetry ({@code GET /metrics} serves the meters) unless their own variables ask.
 * Configuration errors (an unknown exporter) fail the start with the SDK's message.
 */
final class OrdersTelemetry {
    static final String TRACES_EXPORTER = "otel.traces.exporter";
    /** The OTLP protocol; the SDK's own default is gRPC, whose sender the jar does not carry. */
    static final String OTLP_PROTOCOL = "otel.exporter.otlp.protocol";
    private static final String ENVIRONMENT_PREFIX = "OTEL_";
    private static final String PROPERTY_PREFIX = "otel.";

    private OrdersTelemetry() {
    }

    /**
     * The OpenTelemetry that {@code properties} ask for: {@code otel.*} names, as the SDK's autoconfiguration reads
     * them; these win over the process's own environment variables and system properties.
     */
    static OpenTelemetry configure(Map<String, String> properties) {
        String exporter = properties.get(TRACES_EXPORTER);
        if (exporter == null || exporter.isBlank() || exporter.trim().toLowerCase(Locale.ROOT).equals("none")) {
            return OpenTelemetry.noop();
        }
        Map<String, String> given = Map.copyOf(properties);
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none",
                        OTLP_PROTOCOL, "http/protobuf"))
                .addPropertiesCustomizer(configured -> given)
                .disableShutdownHook()
                .build().getOpenTelemetrySdk();
    }

    /** The OpenTelemetry the environment and system properties ask for. */
    static OpenTelemetry fromEnvironment() {
        return configure(properties(System.getenv(), System.getProperties()));
    }

    /**
     * The {@code otel.*} properties that {@code environment} ({@code OTEL_EXPORTER_OTLP_ENDPOINT} becomes
     * {@code otel.exporter.otlp.endpoint}) and {@code systemProperties} set, the latter winning.
     */
    static Map<String, String> properties(Map<String, String> environment, Properties systemProperties) {
        Map<String, String> properties = new HashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENVIRONMENT_PREFIX)) {
                properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        for (String name : systemProperties.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX)) {
                properties.put(name, systemProperties.getProperty(name));
            }
        }
        return properties;
    }

    /** Flushes and stops {@code openTelemetry} if it is an SDK. */
    static void close(OpenTelemetry openTelemetry) {
        if (openTelemetry instanceof OpenTelemetrySdk sdk) {
            sdk.close();
        }
    }
}
