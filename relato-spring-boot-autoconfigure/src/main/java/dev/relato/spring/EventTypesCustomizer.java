package dev.relato.spring;

import dev.relato.serialization.EventTypes;

/**
 * A bean that registers event types with the serializer, beside the classes of {@code relato.event-types}: for
 * explicit names and schema versions ({@code builder.register(OrderPlaced.class, "OrderPlaced", 2)}).
 */
@FunctionalInterface
public interface EventTypesCustomizer {
    void customize(EventTypes.Builder builder);
}
