package dev.relato.snapshot;

import dev.relato.StreamId;
import dev.relato.spi.Json;
import java.time.Instant;
import java.util.Objects;

/**
 * An aggregate's state saved at a stream version, so that loading replays only the events after it.
 * Immutable and thread-safe.
 *
 * @param stream        the aggregate's stream
 * @param version       the stream version the state includes
 * @param schemaVersion version of the state's shape; a snapshot whose schema version differs from the
 *                      repository's current one is ignored (and replaced at the next save)
 * @param payload       the state as JSON text
 * @param takenAt       when it was taken
 */
public record Snapshot(StreamId stream, long version, int schemaVersion, String payload, Instant takenAt) {
    public Snapshot {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(takenAt, "takenAt");
        if (version < 1) {
            throw new IllegalArgumentException("a snapshot is taken at version 1 or later, got " + version);
        }
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("snapshot schema versions start at 1, got " + schemaVersion);
        }
        Json.requireWellFormed(payload, () -> "snapshot payload of stream '" + stream + "'");
    }
}
