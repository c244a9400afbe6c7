package dev.relato.examples.orders;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The service's OpenTelemetry, configured by the standard {@code OTEL_*} environment variables (or the matching
 * {@code otel.*} system properties) through the SDK's autoconfiguration. Off by default: unless
 * {@code OTEL_TRACES_EXPORTER} names an exporter, the no-op OpenTelemetry is used and nothing is recorded or sent.
 * Metrics and logs are never exported through OpenTelemetry ({@code GET /metrics} serves the meters) unless their
 * own variables ask. Configuration errors (an unknown exporter) fail the start with the SDK's message.
 */
final class OrdersTelemetry {
    static final String TRACES_EXPORTER = "otel.traces.exporter";

    private OrdersTelemetry() {
    }

    /** The OpenTelemetry that {@code config} (a system property or environment variable lookup) asks for. */
    static OpenTelemetry configure(Function<String, String> config) {
        String exporter = config.apply(TRACES_EXPORTER);
        if (exporter == null || exporter.isBlank() || exporter.trim().toLowerCase(Locale.ROOT).equals("none")) {
            return OpenTelemetry.noop();
        }
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none"))
                .addPropertiesCustomizer(properties -> Map.of(TRACES_EXPORTER, exporter))
                .disableShutdownHook()
                .build().getOpenTelemetrySdk();
    }

    /** The OpenTelemetry the environment and system properties ask for. */
    static OpenTelemetry fromEnvironment() {
        return configure(name -> {
            String property = System.getProperty(name);
            return property != null ? property
                    : System.getenv(name.toUpperCase(Locale.ROOT).replace('.', '_'));
        });
    }

    /** Flushes and stops {@code openTelemetry} if it is an SDK. */
    static void close(OpenTelemetry openTelemetry) {
        if (openTelemetry instanceof OpenTelemetrySdk sdk) {
            sdk.close();
        }
    }
}
