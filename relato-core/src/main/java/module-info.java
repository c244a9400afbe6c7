/**
 * Relato's programming model: streams and the event store contract ({@code dev.relato}), aggregates
 * ({@code dev.relato.aggregate}), events to JSON and back ({@code dev.relato.serialization}), snapshots
 * ({@code dev.relato.snapshot}), projections ({@code dev.relato.projection}) and the in-memory store
 * ({@code dev.relato.memory}).
 *
 * <p>Jackson is the JSON library of the API: upcasters transform a {@code JsonNode} and the default codec is
 * a Jackson {@code ObjectMapper}, so this module reads {@code com.fasterxml.jackson.databind} transitively.
 * A module whose event, command or snapshot classes Jackson reads must open their packages to
 * {@code com.fasterxml.jackson.databind}.
 *
 * <p>{@code dev.relato.spi} (building blocks for store implementations, and the metadata an observer carries)
 * is exported to the Relato store, tracing and test modules only, {@code dev.relato.internal} (checks shared by
 * the Relato modules) to the store and test modules only; no type of theirs appears in a signature of the
 * exported packages.
 */
@SuppressWarnings("module") // the qualified exports name modules that are compiled after this one
module dev.relato.core {
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires org.slf4j;
    requires static org.jspecify;

    exports dev.relato;
    exports dev.relato.aggregate;
    exports dev.relato.command;
    exports dev.relato.memory;
    exports dev.relato.privacy;
    exports dev.relato.observe;
    exports dev.relato.process;
    exports dev.relato.projection;
    exports dev.relato.serialization;
    exports dev.relato.snapshot;

    exports dev.relato.spi to dev.relato.sqlite, dev.relato.postgres, dev.relato.nats, dev.relato.opentelemetry,
            dev.relato.test;
    exports dev.relato.internal to dev.relato.sqlite, dev.relato.postgres, dev.relato.nats, dev.relato.test;
}
