/** Micrometer meters for Relato: {@link dev.relato.micrometer.RelatoMetrics}. */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // micrometer-core is an automatic module
module dev.relato.micrometer {
    requires transitive dev.relato.core;
    requires transitive micrometer.core;
    requires static org.jspecify;

    exports dev.relato.micrometer;
}
