package dev.relato;

import java.util.Collection;
import java.util.Set;

/**
 * Which events of the global log a read or subscription wants: by stream category, by event type, or
 * both (an event must then match both). An empty set means "any". Categories and types are checked as the
 * names they match ({@link StreamId#validateCategory}, {@link EventData#validateType}), so a filter that no
 * stored event could match is refused with {@link InvalidInputException} instead of reading nothing.
 *
 * <p>{@link StreamNotice Notices} of deleted and truncated streams are left out unless {@code streamNotices} is set
 * ({@link #withStreamNotices()}); the categories apply to them, the types do not.
 * Immutable and thread-safe.
 *
 * @param categories    the categories of the streams wanted; empty for all
 * @param types         the event types wanted; empty for all
 * @param streamNotices whether the notices of removed events are wanted too
 */
public record EventFilter(Set<String> categories, Set<String> types, boolean streamNotices) {
    private static final EventFilter ALL = new EventFilter(Set.of(), Set.of());

    public EventFilter {
        categories = Set.copyOf(categories);
        types = Set.copyOf(types);
        categories.forEach(StreamId::validateCategory);
        types.forEach(EventData::validateType);
    }

    /** Events of these categories and types, without notices. */
    public EventFilter(Set<String> categories, Set<String> types) {
        this(categories, types, false);
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
        return new EventFilter(categories, Set.copyOf(eventTypes), streamNotices);
    }

    /** This filter, also wanting the {@link StreamNotice notices} of the streams in its categories. */
    public EventFilter withStreamNotices() {
        return new EventFilter(categories, types, true);
    }

    /** Whether every event matches: no category and no type given (notices still depend on {@link #streamNotices}). */
    public boolean isAll() {
        return categories.isEmpty() && types.isEmpty();
    }

    /** Whether the filter wants this event, or this notice's record. */
    public boolean matches(RecordedEvent event) {
        boolean category = categories.isEmpty() || categories.contains(event.streamId().category());
        if (StreamNotice.isNotice(event)) {
            return streamNotices && category;
        }
        return category && (types.isEmpty() || types.contains(event.type()));
    }
}
