package dev.relato.cli.ops;

import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.StreamOperations;
import java.util.Objects;
import java.util.Optional;

/**
 * Removing events, for the command line and the console: deleting a stream, tombstoning it, truncating its head,
 * over the store's {@link StreamOperations}. These destroy data, so callers confirm first. A store that does not
 * implement {@link StreamOperations} (NATS JetStream) gets an {@link OperationException} naming it. Thread-safe.
 */
public final class StreamRemoval {
    private final EventStore store;
    private final String storeKind;

    public StreamRemoval(EventStore store, String storeKind) {
        this.store = Objects.requireNonNull(store, "store");
        this.storeKind = Objects.requireNonNull(storeKind, "storeKind");
    }

    /** Whether the store can remove events at all. */
    public boolean supported() {
        return store instanceof StreamOperations;
    }

    /**
     * Deletes the stream; it may be written again from version 1.
     *
     * @param expectedVersion the version the stream must be at, if given
     * @return the number of events removed
     * @throws OperationException if the store cannot delete streams or the stream does not exist
     * @throws dev.relato.WrongExpectedVersionException if the stream is not at {@code expectedVersion}
     */
    public long delete(StreamId stream, Optional<Long> expectedVersion) {
        StreamOperations operations = operations();
        requireExisting(stream);
        return operations.deleteStream(stream, expectedVersion.map(ExpectedVersion::exactly).orElse(ExpectedVersion.any()));
    }

    /**
     * Deletes the stream for good: later appends to it fail. A stream that does not exist yet has its name
     * reserved.
     *
     * @return the number of events removed
     * @throws OperationException if the store cannot delete streams
     */
    public long tombstone(StreamId stream) {
        return operations().tombstoneStream(stream, ExpectedVersion.any());
    }

    /**
     * Removes the events below version {@code before}; the stream's last event always stays.
     *
     * @return the number of events removed
     * @throws OperationException if the store cannot truncate streams or the stream does not exist
     */
    public long truncate(StreamId stream, long before) {
        StreamOperations operations = operations();
        if (before < 1) {
            throw new UsageException("--before must be 1 or more, got " + before);
        }
        requireExisting(stream);
        return operations.truncateBefore(stream, before);
    }

    private void requireExisting(StreamId stream) {
        if (store.streamVersion(stream) == 0) {
            throw new OperationException("no stream '" + stream.category() + "-" + Inputs.preview(stream.id()) + "'");
        }
    }

    private StreamOperations operations() {
        if (store instanceof StreamOperations operations) {
            return operations;
        }
        throw new OperationException("the " + storeKind + " store cannot delete or truncate streams");
    }
}
