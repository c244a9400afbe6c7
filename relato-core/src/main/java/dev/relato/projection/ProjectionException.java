package dev.relato.projection;

import dev.relato.RecordedEvent;
import dev.relato.RelatoException;

/**
 * A projection's handler failed on an event (or the event could not be decoded) where the failure cannot be
 * retried or skipped: in an inline projection, whose failure rolls back the append that carried the event.
 * The cause is the handler's exception.
 */
public class ProjectionException extends RelatoException {
    private final String projection;
    private final long position;

    public ProjectionException(String projection, RecordedEvent record, Throwable cause) {
        super("projection '" + projection + "' failed on the event at position " + record.position() + " ("
                + record.type() + " of " + record.streamId() + " v" + record.streamVersion() + "): " + cause, cause);
        this.projection = projection;
        this.position = record.position();
    }

    /** The name of the projection that failed. */
    public String projection() {
        return projection;
    }

    /** The global position of the event it failed on. */
    public long position() {
        return position;
    }
}
