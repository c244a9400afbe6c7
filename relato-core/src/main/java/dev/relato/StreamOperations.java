package dev.relato;

/**
 * Removing events: deleting a whole stream, or truncating its head. Every Relato store implements this
 * interface and passes the stream operations contract in relato-test, which proves these rules.
 *
 * <ul>
 *   <li><b>Delete</b> ({@link #deleteStream}): the stream's events are removed for good. Stream reads
 *       return nothing, {@link EventStore#readAll} no longer shows them, the stream's version is 0 again,
 *       and an append with {@link ExpectedVersion#noStream()} starts the stream anew at version 1. The event
 *       ids of the removed events are free again.</li>
 *   <li><b>Tombstone</b> ({@link #tombstoneStream}): a delete after which the stream can never be written
 *       again: every later append to it throws {@link StreamDeletedException}, whatever its expected
 *       version. It reads as an empty stream at version 0. Tombstoning is final and idempotent.</li>
 *   <li><b>Truncate</b> ({@link #truncateBefore}): the events below a version are removed and the rest keep
 *       their version numbers; the stream's version does not change, so expected versions keep working and
 *       the next append continues the numbering. The last event always stays: a truncation never empties a
 *       stream.</li>
 *   <li><b>Global log</b>: the remaining events keep their positions, and a position is never given again
 *       to another event, so checkpoints stay valid.</li>
 *   <li><b>Subscriptions</b> and projections that have not reached the removed events never see them. Every
 *       operation that removes at least one event also writes a {@link StreamNotice} to the global log, in the same
 *       transaction (or atomic step) as the removal, at a position above the stream's removed events: readers and
 *       subscriptions that ask for notices ({@link EventFilter#withStreamNotices()}) receive it in position order,
 *       and projections with {@link dev.relato.projection.Projection.Builder#onStreamDeleted notice handlers} drop
 *       the stream's rows there. Other readers are not shown notices.</li>
 *   <li><b>Snapshots</b>: deleting or tombstoning a stream also removes its snapshot in the store's own
 *       snapshot store, in the same transaction where the store has one. Truncating leaves the snapshot:
 *       truncate below a snapshot's version to shorten a long stream and still load its aggregate.</li>
 * </ul>
 *
 * <p>Thread safety: implementations are thread-safe; each operation is atomic, and serialised with appends to
 * the same stream. A failure of the backend throws {@link StoreUnavailableException} or
 * {@link StoreFailureException} and leaves the stream as it was.
 */
public interface StreamOperations {

    /**
     * Deletes a stream: its events vanish from every read, its version becomes 0, and a later append starts
     * it again at version 1. Deleting a stream that does not exist (with an expectation that allows it)
     * removes nothing.
     *
     * @param stream   the stream
     * @param expected the version the caller believes the stream is at; {@link ExpectedVersion#any()} for any
     * @return the number of events removed
     * @throws WrongExpectedVersionException if the stream's version does not match; nothing removed
     */
    long deleteStream(StreamId stream, ExpectedVersion expected);

    /**
     * Deletes a stream for good: like {@link #deleteStream}, and every later append to it throws
     * {@link StreamDeletedException}. Tombstoning a stream that does not exist yet reserves its name.
     * Tombstoning again removes nothing.
     *
     * @param stream   the stream
     * @param expected the version the caller believes the stream is at; {@link ExpectedVersion#any()} for any
     * @return the number of events removed
     * @throws WrongExpectedVersionException if the stream's version does not match; nothing removed
     */
    long tombstoneStream(StreamId stream, ExpectedVersion expected);

    /**
     * Removes the events of a stream whose version is below {@code version}, keeping the rest with their
     * version numbers; the stream's version is unchanged. The stream's last event is always kept, so a
     * version above the stream's version removes every event but the last.
     *
     * @param stream  the stream
     * @param version the lowest version to keep, at least 1
     * @return the number of events removed
     * @throws InvalidInputException if {@code version} is below 1
     */
    long truncateBefore(StreamId stream, long version);

    /**
     * Whether the stream was deleted with a tombstone.
     *
     * @param stream the stream
     * @return true if appends to it throw {@link StreamDeletedException}
     */
    boolean isTombstoned(StreamId stream);
}
