package dev.relato.nats;

import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.RelatoException;
import dev.relato.StoreFailureException;
import dev.relato.StreamId;
import dev.relato.StreamNotice;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One append as stored: a single JetStream message holding every event of the append. Its headers (versions,
 * previous message) are read when it is fetched; its events only when asked for, so that appending after an
 * event that cannot be decoded still works. A message marking its stream deleted or tombstoned is read as an
 * empty batch at version 0 that starts a new chain ({@link #removal}). Immutable.
 */
final class StoredBatch {
    /** What a message of an event stream is. */
    enum Kind {
        /** An append's events. */
        EVENTS(""),
        /** The stream was deleted: it reads as empty at version 0 and may be written again. */
        DELETED("deleted"),
        /** The stream was deleted for good: appends to it are refused. */
        TOMBSTONE("tombstone");

        private final String header;

        Kind(String header) {
            this.header = header;
        }

        String header() {
            return header;
        }

        static Kind ofHeader(String value, long sequence) {
            for (Kind kind : values()) {
                if (kind != EVENTS && kind.header.equals(value)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("message " + sequence + " has an unknown " + BatchCodec.REMOVAL
                    + " header: " + value);
        }
    }

    /** Events per append: the low 16 bits of a position number the event within its message. */
    static final int MAX_EVENTS = 0xFFFF;
    private static final int INDEX_BITS = 16;

    /**
     * One event of the batch, as stored.
     *
     * @param occurredAt when the appender said it occurred, or null
     */
    record Entry(UUID eventId, String type, int schemaVersion, String payload, Metadata metadata, @Nullable Instant occurredAt) {
    }

    private final Kind kind;
    private final String jetStream;
    private final StreamId stream;
    private final long sequence;
    private final long previousSequence;
    private final long firstVersion;
    private final Instant recordedAt;
    private final int size;
    private final byte[] body;
    /** Whether this is a removal mark that removed events. */
    private final boolean notice;

    /**
     * @param jetStream        the JetStream stream holding the message, for messages
     * @param stream           the event stream it belongs to
     * @param sequence         the JetStream stream sequence of the message
     * @param previousSequence the sequence of the stream's previous append message, 0 for its first
     * @param firstVersion     stream version of its first event
     * @param recordedAt       when JetStream stored it (kept to the microsecond, as on every store)
     * @param size             how many events it holds
     * @param body             the encoded events (not copied: callers hand it over)
     */
    StoredBatch(String jetStream, StreamId stream, long sequence, long previousSequence, long firstVersion,
                Instant recordedAt, int size, byte[] body) {
        this(Kind.EVENTS, jetStream, stream, sequence, previousSequence, firstVersion, recordedAt, size, body, false);
    }

    private StoredBatch(Kind kind, String jetStream, StreamId stream, long sequence, long previousSequence,
                        long firstVersion, Instant recordedAt, int size, byte[] body, boolean notice) {
        this.kind = kind;
        this.jetStream = jetStream;
        this.stream = stream;
        this.sequence = sequence;
        this.previousSequence = previousSequence;
        this.firstVersion = firstVersion;
        this.recordedAt = recordedAt.truncatedTo(ChronoUnit.MICROS);
        this.size = size;
        this.body = body;
        this.notice = notice;
    }

    /**
     * The message marking a stream deleted ({@link Kind#DELETED}) or tombstoned: no events, version 0, no previous
     * message.
     */
    static StoredBatch removal(String jetStream, StreamId stream, long sequence, Instant recordedAt, Kind kind,
                               boolean removedEvents) {
        return new StoredBatch(kind, jetStream, stream, sequence, 0, 1, recordedAt, 0, new byte[0], removedEvents);
    }

    /**
     * The notice this removal mark gives readers that ask for notices: a mark that removed events; empty for
     * appends and for marks that removed nothing.
     */
    Optional<StreamNotice> notice() {
        if (!notice) {
            return Optional.empty();
        }
        return Optional.of(new StreamNotice(stream, kind == Kind.TOMBSTONE ? StreamNotice.Kind.TOMBSTONED
                : StreamNotice.Kind.DELETED, 0, position(sequence, 0), recordedAt));
    }

    Kind kind() {
        return kind;
    }

    /** Whether this message marks its stream deleted or tombstoned rather than holding events. */
    boolean isRemoval() {
        return kind != Kind.EVENTS;
    }

    StreamId stream() {
        return stream;
    }

    long sequence() {
        return sequence;
    }

    long previousSequence() {
        return previousSequence;
    }

    long firstVersion() {
        return firstVersion;
    }

    long lastVersion() {
        return firstVersion + size - 1;
    }

    int size() {
        return size;
    }

    /**
     * The ids of its events, in append order, read from the framing alone.
     *
     * @throws StoreFailureException if the message is not well framed
     */
    List<UUID> eventIds() {
        if (isRemoval()) {
            return List.of();
        }
        try {
            return BatchCodec.eventIds(body, sequence);
        } catch (IllegalArgumentException e) {
            throw unreadable(e);
        }
    }

    /**
     * Its events, decoded.
     *
     * @throws StoreFailureException if an event cannot be decoded (it was stored by another writer or damaged);
     *                               it names the message and stream versions, and does not heal by retrying
     */
    List<RecordedEvent> events() {
        if (isRemoval()) {
            return List.of();
        }
        List<Entry> entries;
        try {
            entries = BatchCodec.events(body, sequence);
        } catch (IllegalArgumentException | RelatoException e) {
            throw unreadable(e);
        }
        List<RecordedEvent> events = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            events.add(new RecordedEvent(e.eventId(), stream, firstVersion + i, position(sequence, i), e.type(),
                    e.schemaVersion(), e.payload(), e.metadata(), recordedAt,
                    e.occurredAt() == null ? recordedAt : e.occurredAt()));
        }
        return events;
    }

    private StoreFailureException unreadable(RuntimeException e) {
        return new StoreFailureException("message " + sequence + " of JetStream stream '" + jetStream
                + "' (stream '" + stream + "', versions " + firstVersion + "-" + lastVersion()
                + ") cannot be decoded: " + e.getMessage(), e);
    }

    /**
     * The global position of the event at {@code index} in the message at {@code sequence}:
     * {@code sequence * 2^16 + index}. Rises strictly with the message sequence and, within one message,
     * with the event's index.
     */
    static long position(long sequence, int index) {
        return (sequence << INDEX_BITS) | index;
    }

    /** The message sequence a position belongs to. */
    static long sequenceOf(long position) {
        return position >>> INDEX_BITS;
    }

    long firstPosition() {
        return position(sequence, 0);
    }

    long lastPosition() {
        return position(sequence, size - 1);
    }
}
