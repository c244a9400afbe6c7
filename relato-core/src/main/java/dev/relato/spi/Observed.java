package dev.relato.spi;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.Metadata;
import dev.relato.StreamId;
import dev.relato.observe.Observation;
import dev.relato.observe.Outcome;
import dev.relato.observe.RelatoObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The edges every store puts around its append and its stream read, so that each store reports them alike to its
 * {@link RelatoObserver}: start, the events' metadata carried ({@link Observation#carry}), the outcome.
 */
public final class Observed {
    private Observed() {
    }

    /** Runs {@code append} on the events with their metadata carried, and reports how it ended. */
    public static AppendResult append(RelatoObserver observer, String store, StreamId stream, List<EventData> events,
                                      Function<List<EventData>, AppendResult> append) {
        if (stream == null || events == null) {
            return append.apply(events); // rejected by the store's validation
        }
        Observation observation = observer.append(store, stream, events.size());
        AppendResult result;
        try {
            result = append.apply(carried(observation, events));
        } catch (RuntimeException | Error e) {
            observation.failed(e);
            throw e;
        }
        observation.end(result.retried() ? Outcome.RETRIED : Outcome.SUCCEEDED, result.events().size());
        return result;
    }

    /** Runs {@code read} of one stream and reports how it ended and how many events it read. */
    public static <T> List<T> read(RelatoObserver observer, String store, StreamId stream, Supplier<List<T>> read) {
        if (stream == null) {
            return read.get(); // rejected by the store's validation
        }
        Observation observation = observer.load(store, stream);
        List<T> events;
        try {
            events = read.get();
        } catch (RuntimeException | Error e) {
            observation.failed(e);
            throw e;
        }
        observation.end(Outcome.SUCCEEDED, events.size());
        return events;
    }

    /** The events with their metadata carried; {@code events} itself if the observation carries nothing. */
    private static List<EventData> carried(Observation observation, List<EventData> events) {
        if (observation == Observation.NONE) {
            return events;
        }
        List<EventData> carried = null;
        for (int i = 0; i < events.size(); i++) {
            EventData e = events.get(i);
            Metadata metadata = e == null ? null : observation.carry(e.metadata());
            if (carried == null && metadata != (e == null ? null : e.metadata())) {
                carried = new ArrayList<>(events.size());
                for (int j = 0; j < i; j++) { // the events before, unchanged (none, usually): no view or array made
                    carried.add(events.get(j));
                }
            }
            if (carried != null) {
                carried.add(e == null ? null : e.withMetadata(metadata));
            }
        }
        return carried == null ? events : carried;
    }
}
