package dev.relato.nats;

import dev.relato.EventData;
import dev.relato.Metadata;
import dev.relato.StreamId;
import dev.relato.spi.Json;
import io.nats.client.impl.Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The stored form of an append: one JetStream message whose headers carry the stream version range and
 * the sequence of the stream's previous message, and whose body holds the events in a compact binary
 * framing that keeps every text byte for byte:
 *
 * <pre>
 * body  = format:u8(2) count:i32 event*
 * event = idMostSignificant:i64 idLeastSignificant:i64 type:text schemaVersion:i32 occurredAt:i64
 *         metadata:text payload:text
 * text  = length:i32 UTF-8 bytes          (metadata as a JSON object of strings, empty for none)
 * </pre>
 *
 * A stream deleted by {@link StreamRemover} ends with a message without body whose header
 * {@value #REMOVAL} says {@code deleted} or {@code tombstone}; it starts a new chain (previous sequence 0)
 * at version 0. Its header {@value #REMOVED_EVENTS} says {@code false} if the stream had no events to remove (a
 * tombstone of a stream that never existed, or of one deleted before); the mark is then no notice of a removal
 * ({@link dev.relato.StreamNotice}). Marks without the header (written by earlier versions) are notices.
 *
 * A truncation that removes events publishes a message without body on the notice subject of its stream
 * ({@link StoredLog#noticeSubject}), whose header {@value #KEPT_FROM} holds the lowest version kept.
 *
 * {@code occurredAt} is the time the appender said the event occurred, in microseconds since the epoch, or
 * {@link Long#MIN_VALUE} if it said nothing. Format 1, written by earlier versions, has no {@code occurredAt}
 * and is still read.
 *
 * A message is read in two steps: {@link #decode} reads its headers and checks the framing, which is all the
 * append path needs besides {@link #eventIds}; {@link #events} decodes types, payloads and metadata for reads.
 * Stateless and thread-safe.
 */
final class BatchCodec {
    static final String FIRST_VERSION = "Relato-First-Version";
    static final String LAST_VERSION = "Relato-Last-Version";
    static final String PREVIOUS_SEQUENCE = "Relato-Previous-Sequence";
    /** On a message that holds no events but marks a stream deleted: {@code deleted} or {@code tombstone}. */
    static final String REMOVAL = "Relato-Removal";
    static final String REMOVED_EVENTS = "Relato-Removed-Events";
    static final String KEPT_FROM = "Relato-Kept-From";
    /** Bytes one event adds to a message besides its payload and metadata, for the longest type name. */
    static final int EVENT_OVERHEAD = 16 + 4 + EventData.MAX_TYPE_LENGTH * 3 + 4 + 8 + 4 + 4;
    private static final int FORMAT = 2;
    private static final int FORMAT_WITHOUT_OCCURRED_AT = 1;
    private static final long NOT_GIVEN = Long.MIN_VALUE;

    private BatchCodec() {
    }

    static byte[] encodeEvents(List<EventData> events) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * events.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeInt(events.size());
            for (EventData e : events) {
                out.writeLong(e.eventId().getMostSignificantBits());
                out.writeLong(e.eventId().getLeastSignificantBits());
                writeText(out, e.type());
                out.writeInt(e.schemaVersion());
                out.writeLong(e.occurredAt().map(BatchCodec::epochMicros).orElse(NOT_GIVEN));
                writeText(out, e.metadata().isEmpty() ? "" : Json.writeMetadata(e.metadata()));
                writeText(out, e.payload());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("events could not be encoded", e);
        }
        return bytes.toByteArray();
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    static Headers headers(long firstVersion, long lastVersion, long previousSequence) {
        Headers h = new Headers();
        h.put(FIRST_VERSION, Long.toString(firstVersion));
        h.put(LAST_VERSION, Long.toString(lastVersion));
        h.put(PREVIOUS_SEQUENCE, Long.toString(previousSequence));
        return h;
    }

    /** The headers of the message marking a stream deleted, or tombstoned for good. */
    static Headers removalHeaders(boolean tombstone, boolean removesEvents) {
        Headers h = new Headers();
        h.put(REMOVAL, tombstone ? StoredBatch.Kind.TOMBSTONE.header() : StoredBatch.Kind.DELETED.header());
        if (!removesEvents) {
            h.put(REMOVED_EVENTS, "false");
        }
        return h;
    }

    /** The headers of the notice of a truncation that kept the versions from {@code keptFrom} on. */
    static Headers truncationHeaders(long keptFrom) {
        Headers h = new Headers();
        h.put(KEPT_FROM, Long.toString(keptFrom));
        return h;
    }

    /** The lowest version kept that the notice of a truncation names. */
    static long keptFrom(Headers headers, long sequence) {
        return header(headers, KEPT_FROM, sequence);
    }

    /**
     * Reads a stored message's headers and checks its framing, without decoding its events: the append path
     * needs no more than this and the event ids, so an event that cannot be decoded never blocks appends.
     *
     * @throws IllegalArgumentException if the message is not an append written by this store
     */
    static StoredBatch decode(String jetStream, StreamId stream, long sequence, Instant recordedAt, Headers headers,
                              byte[] body) {
        String removal = headers == null ? null : headers.getFirst(REMOVAL);
        if (removal != null) {
            return StoredBatch.removal(jetStream, stream, sequence, recordedAt, StoredBatch.Kind.ofHeader(removal, sequence),
                    !"false".equals(headers.getFirst(REMOVED_EVENTS)));
        }
        long first = header(headers, FIRST_VERSION, sequence);
        long last = header(headers, LAST_VERSION, sequence);
        long previous = header(headers, PREVIOUS_SEQUENCE, sequence);
        int count = count(body, sequence);
        if (first < 1 || last - first + 1 != count) {
            throw new IllegalArgumentException("message " + sequence + " claims versions " + first + "-" + last
                    + " but holds " + count + " events");
        }
        return new StoredBatch(jetStream, stream, sequence, previous, first, recordedAt, count, body);
    }

    private static long header(Headers headers, String name, long sequence) {
        String value = headers == null ? null : headers.getFirst(name);
        if (value == null) {
            throw new IllegalArgumentException("message " + sequence + " has no " + name
                    + " header; it was not written by a Relato event store");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("message " + sequence + " has a malformed " + name + " header: " + value, e);
        }
    }

    private static int count(byte[] body, long sequence) {
        format(body, sequence);
        ByteBuffer in = ByteBuffer.wrap(body);
        in.get();
        int count = in.getInt();
        if (count < 1 || count > StoredBatch.MAX_EVENTS) {
            throw new IllegalArgumentException("message " + sequence + " claims " + count + " events");
        }
        return count;
    }

    private static int format(byte[] body, long sequence) {
        if (body == null || body.length < 5) {
            throw new IllegalArgumentException("message " + sequence + " has no event body");
        }
        int format = body[0];
        if (format != FORMAT && format != FORMAT_WITHOUT_OCCURRED_AT) {
            throw new IllegalArgumentException("message " + sequence + " has body format " + format
                    + ", this version of Relato reads formats " + FORMAT_WITHOUT_OCCURRED_AT + " and " + FORMAT);
        }
        return format;
    }

    /**
     * The event ids of a message body, read from its framing alone (types, payloads and metadata are skipped).
     *
     * @throws IllegalArgumentException if the body is not well framed
     */
    static List<UUID> eventIds(byte[] body, long sequence) {
        List<UUID> ids = new ArrayList<>();
        boolean withOccurredAt = format(body, sequence) == FORMAT;
        read(body, sequence, in -> {
            ids.add(new UUID(in.getLong(), in.getLong()));
            skipText(in);
            in.getInt();
            if (withOccurredAt) {
                in.getLong();
            }
            skipText(in);
            skipText(in);
        });
        return ids;
    }

    /**
     * Every event of a message body, metadata included.
     *
     * @throws IllegalArgumentException if the body is not well framed or an event's metadata is not a JSON object
     *                                  of strings
     */
    static List<StoredBatch.Entry> events(byte[] body, long sequence) {
        List<StoredBatch.Entry> events = new ArrayList<>();
        boolean withOccurredAt = format(body, sequence) == FORMAT;
        read(body, sequence, in -> {
            UUID id = new UUID(in.getLong(), in.getLong());
            String type = readText(in);
            int schemaVersion = in.getInt();
            long occurredAt = withOccurredAt ? in.getLong() : NOT_GIVEN;
            String metadata = readText(in);
            String payload = readText(in);
            events.add(new StoredBatch.Entry(id, type, schemaVersion, payload,
                    metadata.isEmpty() ? Metadata.empty() : Json.readMetadata(metadata),
                    occurredAt == NOT_GIVEN ? null : instantOfMicros(occurredAt)));
        });
        return events;
    }

    private static void read(byte[] body, long sequence, Consumer<ByteBuffer> event) {
        int count = count(body, sequence);
        try {
            ByteBuffer in = ByteBuffer.wrap(body);
            in.position(5);
            for (int i = 0; i < count; i++) {
                event.accept(in);
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("message " + sequence + " has " + in.remaining()
                        + " bytes after its events");
            }
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("message " + sequence + " does not hold well-formed events: " + e, e);
        }
    }

    private static long epochMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    private static Instant instantOfMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static void skipText(ByteBuffer in) {
        int length = textLength(in);
        in.position(in.position() + length);
    }

    private static int textLength(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("text length " + length + " out of bounds");
        }
        return length;
    }

    private static String readText(ByteBuffer in) {
        int length = textLength(in);
        String text = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return text;
    }
}
