package dev.relato;

import java.util.Collection;
import java.util.Set;

/**
 * Which events of the global log a read or subscription wants: by stream category, by event type, or
 * both (an event must then match both). An empty set means "any". Categories and types are checked as the
 * names they match ({@link StreamId#validateCategory}, {@link EventData#validateType}), so a filter that no
 * stored event could match is refused with {@link InvalidInputException} instead of reading nothing.
 * Immutable and thread-safe.
 */
public record EventFilter(Set<String> categories, Set<String> types) {
    private static final EventFilter ALL = new EventFilter(Set.of(), Set.of());

    public EventFilter {
        categories = Set.copyOf(categories);
        types = Set.copyOf(types);
        categories.forEach(StreamId::validateCategory);
        types.forEach(EventData::validateType);
    }

    /** Every event. */
    public static EventFilter all() {
        return ALL;
    }

    /** Events of streams in any of these categories. */
    public static EventFilter categories(String... categories) {
        return new EventFilter(Set.of(categories), Set.of());
    }

    /** Events of any of these types. */
    public static EventFilter types(String... types) {
        return new EventFilter(Set.of(), Set.of(types));
    }

    /** Events of any of these types. */
    public static EventFilter types(Collection<String> types) {
        return new EventFilter(Set.of(), Set.copyOf(types));
    }

    /** This filter, further restricted to these types. */
    public EventFilter andTypes(Collection<String> eventTypes) {
        return new EventFilter(categories, Set.copyOf(eventTypes));
    }

    public boolean isAll() {
        return categories.isEmpty() && types.isEmpty();
    }

    public boolean matches(RecordedEvent event) {
        return (categories.isEmpty() || categories.contains(event.streamId().category()))
                && (types.isEmpty() || types.contains(event.type()));
    }
}
