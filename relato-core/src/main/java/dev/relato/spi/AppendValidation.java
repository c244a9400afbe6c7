package dev.relato.spi;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.InvalidEventException;
import dev.relato.Metadata;
import dev.relato.StreamId;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Checks every backend makes before it touches storage, so that bad input is rejected the same way
 * everywhere and never reaches a stream. Stateless and thread-safe.
 */
public final class AppendValidation {
    /** Default limit of one event's payload plus metadata, in UTF-8 bytes: 1 MiB. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 1 << 20;

    private AppendValidation() {
    }

    /**
     * @param maxEventBytes the store's limit for one event's payload plus metadata, in UTF-8 bytes
     * @throws NullPointerException  if an argument is null
     * @throws InvalidEventException if the append is empty, repeats an event id, or an event is too large
     */
    public static void validate(StreamId stream, ExpectedVersion expected, List<EventData> events, int maxEventBytes) {
        Objects.requireNonNull(stream, "stream must not be null");
        Objects.requireNonNull(expected, "expected version must not be null; use ExpectedVersion.any() for no check");
        Objects.requireNonNull(events, "events must not be null");
        if (events.isEmpty()) {
            throw new InvalidEventException("append to stream '" + stream + "' has no events; pass at least one");
        }
        Set<UUID> ids = events.size() > 1 ? new HashSet<>(events.size() * 2) : null;
        Metadata sized = null; // the events of an append often share their metadata: it is measured once while they do
        int metadataSize = 0;
        for (int i = 0; i < events.size(); i++) {
            EventData e = events.get(i);
            if (e == null) {
                throw new InvalidEventException("append to stream '" + stream + "' has a null event at index " + i);
            }
            if (ids != null && !ids.add(e.eventId())) {
                throw new InvalidEventException("append to stream '" + stream + "' repeats event id " + e.eventId()
                        + " (index " + i + "); every event needs its own id");
            }
            int size = Json.utf8Length(e.payload());
            if (size <= maxEventBytes && e.metadata() != sized) {
                sized = e.metadata();
                metadataSize = metadataSize(sized);
            }
            if (size > maxEventBytes || size + metadataSize > maxEventBytes) {
                throw new InvalidEventException("event '" + e.type() + "' (" + e.eventId() + ") for stream '" + stream
                        + "' is " + (size + metadataSize(e.metadata())) + " bytes; this store's limit is " + maxEventBytes
                        + " bytes. Keep large data outside the event and store a reference, or raise the limit");
            }
        }
    }

    private static int metadataSize(Metadata metadata) {
        if (metadata.isEmpty()) {
            return 0;
        }
        int size = 0;
        for (var entry : metadata.entries().entrySet()) {
            size += Json.utf8Length(entry.getKey()) + Json.utf8Length(entry.getValue()) + 6;
        }
        return size;
    }

    /**
     * @throws IllegalArgumentException if {@code maxEventBytes} is not a sensible limit
     */
    public static int checkMaxEventBytes(int maxEventBytes) {
        if (maxEventBytes < 64) {
            throw new IllegalArgumentException("maximum event size must be at least 64 bytes, got " + maxEventBytes);
        }
        return maxEventBytes;
    }

    /**
     * Checks the arguments of {@link dev.relato.StreamOperations#truncateBefore}.
     *
     * @throws dev.relato.InvalidInputException if {@code version} is below 1
     */
    public static void checkTruncate(StreamId stream, long version) {
        Objects.requireNonNull(stream, "stream must not be null");
        if (version < 1) {
            throw new dev.relato.InvalidInputException("stream '" + stream + "': truncate before version " + version
                    + " is not possible, versions start at 1");
        }
    }
}
