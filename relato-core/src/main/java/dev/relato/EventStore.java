package dev.relato;

import dev.relato.internal.Timeouts;
import dev.relato.observe.RelatoObserver;
import dev.relato.spi.AppendValidation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An append-only store of event streams and the global log they make together. Every backend
 * (in-memory, SQLite, PostgreSQL, NATS JetStream) implements this interface and passes the contract
 * suite in relato-test, which proves these guarantees:
 *
 * <ul>
 *   <li><b>Versions</b>: a stream's events are numbered 1, 2, 3 … with no gaps and no duplicates, under any
 *       number of concurrent writers in any number of processes.</li>
 *   <li><b>Optimistic concurrency</b>: an append whose {@link ExpectedVersion} does not match throws
 *       {@link WrongExpectedVersionException} with the actual version, and writes nothing.</li>
 *   <li><b>Atomicity</b>: all events of one append become visible together, or none do.</li>
 *   <li><b>Idempotency</b>: re-appending the same event ids at the same place succeeds without writing
 *       twice ({@link AppendResult#retried()}); the same ids elsewhere throw {@link DuplicateEventException}.</li>
 *   <li><b>Global order</b>: positions increase strictly; a reader that has seen position p is never later
 *       shown a committed event below p, and an in-flight or rolled-back write never makes readers wait a
 *       fixed timeout.</li>
 *   <li><b>Bad input</b> ({@link InvalidEventException}) never changes a stream.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe: one instance serves every thread of a process. Failures of the
 * underlying server surface as {@link StoreUnavailableException}; an append that fails that way either
 * happened entirely or not at all, and may be retried with the same event ids.
 */
public interface EventStore extends AutoCloseable {

    /**
     * Appends events to a stream, atomically, if its version matches {@code expected}.
     *
     * @param stream   the stream; created by its first append
     * @param expected the version the caller believes the stream is at
     * @param events   one or more events, with distinct ids
     * @return the versions and positions written
     * @throws WrongExpectedVersionException if the stream's version does not match; nothing written
     * @throws DuplicateEventException       if an event id is stored elsewhere; nothing written
     * @throws InvalidEventException         if the events are empty, repeat an id or exceed a limit
     * @throws StoreUnavailableException     if the backend failed; the append happened wholly or not at all
     */
    AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events);

    /**
     * Reads part of one stream. A stream that does not exist reads as an empty list.
     *
     * @param stream the stream
     * @param read   range, direction, limit and point in time
     * @return the events, in the read's direction; never null
     */
    List<RecordedEvent> read(StreamId stream, StreamRead read);

    /** The whole stream, oldest first. */
    default List<RecordedEvent> read(StreamId stream) {
        return read(stream, StreamRead.forwards());
    }

    /**
     * Reads the global log in position order. The stream is lazy: the store fetches
     * {@link GlobalRead#batchSize()} events at a time, so memory stays flat however long the log. Close the
     * stream (try-with-resources) if it is not consumed to the end. Only events every reader can safely see
     * are returned: the read stops before any position a still-running write could take.
     *
     * @param read from where, which events, batch size and limit
     * @return the events, rising by position
     */
    Stream<RecordedEvent> readAll(GlobalRead read);

    /**
     * Follows the global log: delivers every matching event after {@code afterPosition} to the listener,
     * in position order, each exactly once; first the stored ones (catch-up), then new ones as they are
     * appended (live). {@link SubscriptionListener#onCaughtUp(long)} is called when catch-up ends. Events
     * are delivered on a thread the subscription owns, one at a time.
     *
     * @param afterPosition deliver events after this position; 0 for all
     * @param filter        which events
     * @param listener      receives the events
     * @return a handle to watch and close the subscription
     */
    Subscription subscribe(long afterPosition, EventFilter filter, SubscriptionListener listener);

    /** The stream's current version: the number of its events; 0 if it does not exist. */
    long streamVersion(StreamId stream);

    /** Whether the stream has at least one event. */
    default boolean exists(StreamId stream) {
        return streamVersion(stream) > 0;
    }

    /** The highest position readers can see now; 0 if the log is empty. */
    long headPosition();

    /**
     * Waits until the head of the log may have moved past {@code afterPosition}, or the timeout passed: a
     * light way for a reader that has read everything to learn that there is more, without a subscription
     * that reads every event. Returns at once if the head is already past it.
     *
     * <p>This default looks at {@link #headPosition()} every 50 ms. Stores override it
     * to be woken by their own appends, and by the appends of other processes they learn of, and look at the
     * head less often.
     *
     * @param afterPosition the position the caller has read up to
     * @param timeout       the longest wait; zero or negative looks once
     * @return the head position seen last: above {@code afterPosition}, unless the timeout passed first
     * @throws InterruptedException if the calling thread is interrupted while it waits
     */
    default long awaitHead(long afterPosition, Duration timeout) throws InterruptedException {
        Timeouts.checkInterrupt();
        long deadline = System.nanoTime() + Timeouts.nanos(timeout);
        long head = headPosition();
        while (head <= afterPosition) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return head;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, Timeouts.HEAD_POLL_NANOS));
            head = headPosition();
        }
        return head;
    }

    /**
     * The largest event this store accepts: payload plus metadata, in UTF-8 bytes. An append with a larger
     * event throws {@link InvalidEventException} and writes nothing; every event it accepts reads back.
     * The default is 1 MiB (1,048,576 bytes), the limit of every Relato store not built with another.
     *
     * @return the limit, at least 64
     */
    default int maxEventBytes() {
        return AppendValidation.DEFAULT_MAX_EVENT_BYTES;
    }

    /**
     * The observer this store reports its appends and reads to, and which repositories and projection runners
     * built on this store report to as well; {@link RelatoObserver#none()} unless the store's builder was given one.
     */
    default RelatoObserver observer() {
        return RelatoObserver.none();
    }

    /** Releases the store's threads and connections. Subscriptions it opened are closed. */
    @Override
    void close();
}
