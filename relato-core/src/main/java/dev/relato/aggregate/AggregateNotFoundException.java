package dev.relato.aggregate;

import dev.relato.RelatoException;
import dev.relato.StreamId;

/**
 * An operation that needs an existing aggregate found no stream for it. Nothing was appended.
 */
public class AggregateNotFoundException extends RelatoException {
    private final StreamId stream;

    public AggregateNotFoundException(StreamId stream) {
        super("aggregate '" + stream + "' does not exist: its stream has no events");
        this.stream = stream;
    }

    public StreamId stream() {
        return stream;
    }
}
