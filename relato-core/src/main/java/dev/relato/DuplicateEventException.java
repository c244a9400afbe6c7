package dev.relato;

import java.util.UUID;

/**
 * An append carried an event id that is already stored somewhere else than at the very place this
 * append would put it (another stream, another version, or only part of the batch). Re-appending a
 * whole batch to the place where it was already written is not an error: it is an idempotent retry.
 */
public class DuplicateEventException extends RelatoException {
    private final StreamId stream;
    private final UUID eventId;

    public DuplicateEventException(StreamId stream, UUID eventId, String detail) {
        super("event id " + eventId + " appended to stream '" + stream + "' is already stored " + detail
                + "; use a fresh event id for a new event, or retry the original append unchanged");
        this.stream = stream;
        this.eventId = eventId;
    }

    /** The stream the rejected append was aimed at. */
    public StreamId stream() {
        return stream;
    }

    /** The event id that is already stored elsewhere. */
    public UUID eventId() {
        return eventId;
    }
}
