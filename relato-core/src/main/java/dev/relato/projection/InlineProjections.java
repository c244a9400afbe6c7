package dev.relato.projection;

import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.internal.AppendedPlainText;
import dev.relato.serialization.EventSerializer;
import java.util.List;
import java.util.Objects;

/**
 * Projections run inline: inside the transaction of the append that wrote their events, so the read model
 * and the events commit together or not at all. The SQL backends use this to run every registered projection
 * on the appending transaction's connection (PostgreSQL's and SQLite's projecting event stores); no
 * checkpoint is needed, since the read model is never behind the log. Wrapped in a
 * {@link dev.relato.privacy.PersonalDataStore}, the projecting store's handlers see decrypted events.
 *
 * <p>Immutable and thread-safe; each call runs the projections on the caller's thread, in registration
 * order, event by event.
 *
 * @param <C> the handlers' context: the transaction's connection
 */
public final class InlineProjections<C> {
    private final EventSerializer serializer;
    private final List<Projection<C>> projections;
    private final List<EventFilter> filters;

    private InlineProjections(EventSerializer serializer, List<Projection<C>> projections) {
        this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
        this.projections = List.copyOf(projections);
        this.filters = this.projections.stream().map(p -> p.filter(serializer)).toList();
        long distinct = this.projections.stream().map(Projection::name).distinct().count();
        if (distinct != this.projections.size()) {
            throw new IllegalArgumentException("inline projections must have distinct names, got "
                    + this.projections.stream().map(Projection::name).toList());
        }
    }

    /**
     * @throws IllegalArgumentException if two projections share a name, or one handles a class the serializer
     *                                  does not know
     */
    public static <C> InlineProjections<C> of(EventSerializer serializer, List<Projection<C>> projections) {
        return new InlineProjections<>(serializer, projections);
    }

    /** The projections, in the order they run. */
    public List<Projection<C>> projections() {
        return projections;
    }

    /** The serializer that decodes events for the handlers. */
    public EventSerializer serializer() {
        return serializer;
    }

    /**
     * Whether any projection may want an event of this append to {@code stream}; lets a backend skip reading back
     * an append that concerns no projection. Null events (refused later by the store) concern none.
     */
    public boolean concerns(StreamId stream, List<EventData> events) {
        String category = stream.category();
        return events.stream().anyMatch(e -> e != null && filters.stream().anyMatch(f ->
                (f.categories().isEmpty() || f.categories().contains(category)) && f.types().contains(e.type())));
    }

    /**
     * Runs every projection over the records, on {@code context}; the events are live (they are the append's). A
     * record whose append came through a {@link dev.relato.privacy.PersonalDataStore} on this thread is handed to
     * the handlers with its personal fields in plain text, as the append gave them, not encrypted as stored.
     *
     * @throws ProjectionException wrapping the first handler failure (or decoding failure); the caller must roll
     *                             back its transaction
     */
    public void apply(C context, List<RecordedEvent> records) {
        for (RecordedEvent stored : records) {
            RecordedEvent record = AppendedPlainText.of(stored);
            for (Projection<C> projection : projections) {
                try {
                    projection.handle(context, record, serializer, true);
                } catch (Exception e) {
                    throw new ProjectionException(projection.name(), record, e);
                }
            }
        }
    }
}
