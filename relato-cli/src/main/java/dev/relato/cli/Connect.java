package dev.relato.cli;

import dev.relato.cli.ops.Operations;
import dev.relato.cli.ops.StoreOptions;
import dev.relato.cli.ops.StoreTarget;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every command that opens a store takes. */
final class Connect {
    @Option(names = "--store", required = true, paramLabel = "LOCATION",
            description = "sqlite:PATH, jdbc:postgresql://HOST[:PORT]/DATABASE[?user=…] or nats://HOST:PORT")
    String store;

    @Option(names = "--schema", paramLabel = "NAME", description = "PostgreSQL schema (default relato).")
    Optional<String> schema = Optional.empty();

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "Table prefix (SQLite, PostgreSQL).")
    Optional<String> prefix = Optional.empty();

    @Option(names = "--stream-name", paramLabel = "NAME", description = "NATS JetStream stream (default relato).")
    Optional<String> streamName = Optional.empty();

    @Option(names = "--subject-prefix", paramLabel = "PREFIX", description = "NATS subject prefix.")
    Optional<String> subjectPrefix = Optional.empty();

    @Option(names = "--json", description = "One JSON object per line instead of a table.")
    boolean json;

    /** Opens the store; the caller closes it. */
    StoreTarget open() {
        return StoreTarget.open(store, new StoreOptions(schema, prefix, streamName, subjectPrefix, false));
    }

    /** Opens the store and runs {@code work} on its operations. */
    void run(Work work) throws Exception {
        try (StoreTarget target = open()) {
            work.run(new Operations(target));
        }
    }

    interface Work {
        void run(Operations operations) throws Exception;
    }
}
