package dev.relato;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A notice in the global log that a stream's events were removed by one of the {@link StreamOperations}: the
 * stream was deleted, tombstoned, or truncated before a version. Every store writes one notice, at a position of
 * its own after the stream's last event, in the same transaction (or atomic step) as the removal itself, and only
 * when the operation removed at least one event. Notices are never removed: a rebuild from position 0 meets them
 * after the remaining events that precede them.
 *
 * <p>Reads and subscriptions see notices only if their {@link EventFilter} asks for them
 * ({@link EventFilter#withStreamNotices()}); a filter's categories apply to them, its types do not. They arrive as
 * {@link RecordedEvent}s of a reserved type, which {@link #from(RecordedEvent)} turns back into a notice;
 * {@link dev.relato.projection.Projection.Builder#onStreamDeleted projections} receive them as notices directly.
 * The reserved types ({@value #DELETED_TYPE}, {@value #TOMBSTONED_TYPE}, {@value #TRUNCATED_TYPE}) are refused
 * for appended events.
 *
 * <p>Immutable and thread-safe.
 *
 * @param stream     the stream whose events were removed
 * @param kind       how they were removed
 * @param keptFrom   for {@link Kind#TRUNCATED}, the lowest version the stream kept; 0 for the other kinds
 * @param position   the notice's position in the global log, above the stream's removed events
 * @param recordedAt when the store recorded the removal
 */
public record StreamNotice(StreamId stream, Kind kind, long keptFrom, long position, Instant recordedAt) {
    /** The type of the record of a {@link Kind#DELETED} notice. */
    public static final String DELETED_TYPE = "$stream-deleted";
    /** The type of the record of a {@link Kind#TOMBSTONED} notice. */
    public static final String TOMBSTONED_TYPE = "$stream-tombstoned";
    /** The type of the record of a {@link Kind#TRUNCATED} notice. */
    public static final String TRUNCATED_TYPE = "$stream-truncated";

    /**
     * @throws IllegalArgumentException if a truncation keeps no version above 1, or another kind names one
     */
    public StreamNotice {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(recordedAt, "recordedAt");
        if (kind == Kind.TRUNCATED ? keptFrom < 2 : keptFrom != 0) {
            throw new IllegalArgumentException("a " + kind + " notice of stream '" + stream + "' cannot keep from "
                    + "version " + keptFrom);
        }
    }

    /** How a stream's events were removed. */
    public enum Kind {
        /** {@link StreamOperations#deleteStream}: the stream may start again at version 1. */
        DELETED(DELETED_TYPE),
        /** {@link StreamOperations#tombstoneStream}: the stream is gone for good. */
        TOMBSTONED(TOMBSTONED_TYPE),
        /** {@link StreamOperations#truncateBefore}: the versions below {@link StreamNotice#keptFrom()} are gone. */
        TRUNCATED(TRUNCATED_TYPE);

        private final String type;

        Kind(String type) {
            this.type = type;
        }

        /** The reserved event type of this kind's records. */
        public String type() {
            return type;
        }

        /** The kind whose records have this type, if any. */
        public static Optional<Kind> ofType(String type) {
            for (Kind k : values()) {
                if (k.type.equals(type)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /** Whether the stream's events are all gone: deleted or tombstoned, not truncated. */
    public boolean streamGone() {
        return kind != Kind.TRUNCATED;
    }

    /** Whether a record is a notice's: its type is one of the reserved notice types. */
    public static boolean isNotice(RecordedEvent record) {
        return Kind.ofType(record.type()).isPresent();
    }

    /** The notice a record carries, or empty if it is an ordinary event. */
    public static Optional<StreamNotice> from(RecordedEvent record) {
        return Kind.ofType(record.type()).map(kind -> new StreamNotice(record.streamId(), kind,
                kind == Kind.TRUNCATED ? record.streamVersion() : 0, record.position(), record.recordedAt()));
    }

    /**
     * This notice as a record of the global log: its stream, position and time, the kind's reserved type, the kept
     * version as its stream version (0 for a deletion), an empty payload and an event id derived from the position,
     * so that every read of the notice gives the same id.
     */
    public RecordedEvent toRecord() {
        UUID id = UUID.nameUUIDFromBytes(("relato stream notice " + position).getBytes(StandardCharsets.UTF_8));
        return new RecordedEvent(id, stream, keptFrom, position, kind.type(), 1, "{}", Metadata.empty(), recordedAt,
                recordedAt);
    }
}
