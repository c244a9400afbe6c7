package dev.relato;

/**
 * An append to a stream that was deleted with a tombstone ({@link StreamOperations#tombstoneStream}): a
 * tombstoned stream can never be written again. Nothing was written. This is permanent; retrying cannot
 * succeed.
 */
public class StreamDeletedException extends RelatoException {
    private final StreamId stream;

    public StreamDeletedException(StreamId stream) {
        super("stream '" + stream + "' was deleted with a tombstone and cannot be written again");
        this.stream = stream;
    }

    /** The tombstoned stream. */
    public StreamId stream() {
        return stream;
    }
}
