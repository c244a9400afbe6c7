package dev.relato.cli.ops;

import java.util.Optional;

/**
 * How to open a store beyond its location: PostgreSQL schema, table prefix (SQLite and PostgreSQL), NATS stream
 * name and subject prefix, and whether a missing SQLite file may be created. Immutable and thread-safe.
 */
public record StoreOptions(Optional<String> schema, Optional<String> prefix, Optional<String> streamName,
                           Optional<String> subjectPrefix, boolean create) {

    /** Every default; a missing SQLite file is an error. */
    public static StoreOptions defaults() {
        return new StoreOptions(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
    }
}
