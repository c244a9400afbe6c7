package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.FailurePolicy;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionStatus;
import dev.relato.serialization.EventSerializer;
import java.time.Instant;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator's way past the event a failed projection stopped at: the event is recorded as a dead letter (to be
 * replayed once its cause is fixed) and the checkpoint moved onto it, so that the next runner goes on with the event
 * after it. Stateless and thread-safe; the caller serializes operations on one projection and starts the next runner.
 */
public final class ProjectionSkip {
    /** The policy the projections run under: three attempts per event, then the runner stops. */
    public static final FailurePolicy POLICY = FailurePolicy.DEFAULT;
    private static final Logger LOG = LoggerFactory.getLogger(ProjectionSkip.class);

    private ProjectionSkip() {
    }

    /**
     * Records the event after the failed runner's checkpoint as a dead letter and moves the checkpoint onto it.
     *
     * @param stopped     a runner that has failed
     * @param store       the store whose log it reads
     * @param serializer  the serializer it decodes with
     * @param deadLetters where its dead letters are kept
     * @return the dead letter
     * @throws IllegalStateException if there is no event of the projection after the checkpoint
     */
    public static DeadLetter skip(ProjectionRunner<?> stopped, EventStore store, EventSerializer serializer,
                                  DeadLetterStore deadLetters) {
        ProjectionStatus status = stopped.status();
        RecordedEvent poison;
        try (Stream<RecordedEvent> next = store.readAll(GlobalRead.after(status.position())
                .filter(stopped.projection().filter(serializer)).limit(1))) {
            poison = next.findFirst().orElseThrow(() -> new IllegalStateException("projection '" + status.name()
                    + "' has no event after its checkpoint " + status.position() + " to skip"));
        }
        String error = status.lastError().orElse("the projection stopped at this event");
        DeadLetter letter = new DeadLetter(status.name(), poison.position(), poison.eventId(), poison.streamId(),
                poison.streamVersion(), poison.type(), error, "", POLICY.maxAttempts(), Instant.now());
        deadLetters.add(letter);
        stopped.resetTo(poison.position());
        LOG.warn("projection '{}': the event at position {} ({} of {}) was skipped by an operator and kept as a dead"
                + " letter; the projection goes on", status.name(), poison.position(), poison.type(), poison.streamId());
        return letter;
    }
}
