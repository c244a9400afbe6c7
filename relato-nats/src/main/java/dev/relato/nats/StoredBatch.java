package dev.relato.nats;

import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One append as stored: a single JetStream message holding every event of the append. Immutable.
 *
 * @param stream       the event stream it belongs to
 * @param sequence     the JetStream stream sequence of the message
 * @param previousSequence the sequence of the stream's previous append message, 0 for its first
 * @param firstVersion stream version of its first event
 * @param recordedAt   when JetStream stored it, truncated to microseconds
 * @param events       its events, in append order
 */
record StoredBatch(StreamId stream, long sequence, long previousSequence, long firstVersion, Instant recordedAt,
                   List<Entry> events) {
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

    StoredBatch {
        recordedAt = recordedAt.truncatedTo(ChronoUnit.MICROS);
        events = List.copyOf(events);
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a stored batch holds at least one event");
        }
    }

    long lastVersion() {
        return firstVersion + events.size() - 1;
    }

    List<UUID> eventIds() {
        List<UUID> ids = new ArrayList<>(events.size());
        events.forEach(e -> ids.add(e.eventId()));
        return ids;
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
        return position(sequence, events.size() - 1);
    }

    RecordedEvent recorded(int index) {
        Entry e = events.get(index);
        return new RecordedEvent(e.eventId(), stream, firstVersion + index, position(sequence, index), e.type(),
                e.schemaVersion(), e.payload(), e.metadata(), recordedAt,
                e.occurredAt() == null ? recordedAt : e.occurredAt());
    }

    /** Every event of the batch as recorded. */
    List<RecordedEvent> recorded() {
        List<RecordedEvent> all = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            all.add(recorded(i));
        }
        return all;
    }
}
