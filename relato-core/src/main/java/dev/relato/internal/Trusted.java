package dev.relato.internal;

import dev.relato.EventData;
import dev.relato.Metadata;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The way Relato's own serializer builds {@link EventData} from JSON its Jackson codec wrote, without parsing it
 * a second time to check its well-formedness (the read side's limits are still checked, in one lexical pass).
 * Not part of the API: the package is not exported, and user code must build events through
 * {@code EventData}'s public constructor and factories, which check everything. Thread-safe.
 */
public final class Trusted {
    /** Builds events from JSON written by a JSON library. */
    @FunctionalInterface
    public interface EventDataFactory {
        EventData create(UUID eventId, String type, int schemaVersion, String payload, Metadata metadata,
                         @Nullable Instant occurredAt);
    }

    private static volatile EventDataFactory eventData;

    private Trusted() {
    }

    /**
     * Called once, by {@code EventData}'s class initialiser.
     *
     * @throws IllegalStateException if called again
     */
    public static synchronized void register(EventDataFactory factory) {
        if (eventData != null) {
            throw new IllegalStateException("the trusted event factory is already registered");
        }
        eventData = factory;
    }

    /**
     * An event whose payload a JSON library wrote: checked for the read side's limits, not parsed.
     *
     * @param occurredAt when it occurred, or null
     */
    public static EventData eventData(UUID eventId, String type, int schemaVersion, String payload, Metadata metadata,
                                      @Nullable Instant occurredAt) {
        EventDataFactory factory = eventData;
        if (factory == null) {
            initialise(EventData.class); // its class initialiser registers the factory
            factory = eventData;
        }
        return factory.create(eventId, type, schemaVersion, payload, metadata, occurredAt);
    }

    private static void initialise(Class<?> type) {
        try {
            Class.forName(type.getName(), true, type.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("cannot initialise " + type.getName(), e);
        }
    }
}
