package dev.relato;

import org.jspecify.annotations.Nullable;

/**
 * A stored event could not be turned into an object: its type is not registered, no upcaster brings
 * its schema version to the registered one, or its payload does not match the class. Names the stream,
 * version, global position and type, so an operator can find the record.
 */
public class EventDecodingException extends RelatoException {
    private final StreamId stream;
    private final long streamVersion;
    private final long position;
    private final String type;

    public EventDecodingException(RecordedEvent event, String problem, @Nullable Throwable cause) {
        super("cannot decode event of type '" + event.type() + "' v" + event.schemaVersion() + " at stream '"
                + event.streamId() + "' version " + event.streamVersion() + ", position " + event.position()
                + ": " + problem, cause);
        this.stream = event.streamId();
        this.streamVersion = event.streamVersion();
        this.position = event.position();
        this.type = event.type();
    }

    public StreamId stream() {
        return stream;
    }

    public long streamVersion() {
        return streamVersion;
    }

    public long position() {
        return position;
    }

    public String type() {
        return type;
    }
}
