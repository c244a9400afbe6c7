package dev.relato;

/**
 * An append's expected version did not match the stream's actual version: another writer got there
 * first. Nothing of the append was written. Reload the stream (its version is {@link #actualVersion()})
 * and decide again.
 */
public class WrongExpectedVersionException extends RelatoException {
    private final StreamId stream;
    private final ExpectedVersion expected;
    private final long actualVersion;

    public WrongExpectedVersionException(StreamId stream, ExpectedVersion expected, long actualVersion) {
        super("stream '" + stream + "': expected version " + expected + " but the stream is at "
                + (actualVersion == 0 ? "no stream (version 0)" : "version " + actualVersion));
        this.stream = stream;
        this.expected = expected;
        this.actualVersion = actualVersion;
    }

    public StreamId stream() {
        return stream;
    }

    public ExpectedVersion expected() {
        return expected;
    }

    /** The stream's version when the append was refused; 0 if the stream did not exist. */
    public long actualVersion() {
        return actualVersion;
    }
}
