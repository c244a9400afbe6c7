/** OpenTelemetry spans for Relato: {@link dev.relato.opentelemetry.RelatoTracing}. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // the OpenTelemetry API jars are automatic modules
module dev.relato.opentelemetry {
    requires transitive dev.relato.core;
    requires transitive io.opentelemetry.api;
    requires io.opentelemetry.context;
    requires static org.jspecify;

    exports dev.relato.opentelemetry;
}
