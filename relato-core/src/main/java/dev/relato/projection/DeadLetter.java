package dev.relato.projection;

import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event a projection skipped because its handler kept failing, kept for an operator to inspect and
 * replay ({@link ProjectionRunner#replay(DeadLetter)}). Immutable and thread-safe.
 *
 * @param projection    the checkpoint name of the runner that skipped it
 * @param position      the event's global position
 * @param eventId       the event's id
 * @param streamId      its stream
 * @param streamVersion its version in the stream
 * @param type          its stored type name
 * @param error         the last failure's type and message
 * @param stackTrace    the last failure's stack trace
 * @param attempts      how many times it was tried
 * @param failedAt      when it was skipped
 */
public record DeadLetter(String projection, long position, UUID eventId, StreamId streamId, long streamVersion,
                         String type, String error, String stackTrace, int attempts, Instant failedAt) {
    /** Stack traces are cut to this many characters. */
    public static final int MAX_STACK_TRACE = 16_000;

    public DeadLetter {
        CheckpointStore.validateName(projection);
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(stackTrace, "stackTrace");
        Objects.requireNonNull(failedAt, "failedAt");
        if (position < 1 || streamVersion < 1 || attempts < 1) {
            throw new IllegalArgumentException("position, stream version and attempts must be 1 or more, got "
                    + position + ", " + streamVersion + ", " + attempts);
        }
        if (stackTrace.length() > MAX_STACK_TRACE) {
            stackTrace = stackTrace.substring(0, MAX_STACK_TRACE);
        }
    }

    /** The dead letter for {@code record}, which failed with {@code failure}. */
    public static DeadLetter of(String projection, RecordedEvent record, Throwable failure, int attempts,
                                Instant failedAt) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return new DeadLetter(projection, record.position(), record.eventId(), record.streamId(), record.streamVersion(),
                record.type(), describe(failure), trace.toString(), attempts, failedAt);
    }

    static String describe(Throwable failure) {
        return failure.getClass().getName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    }
}
