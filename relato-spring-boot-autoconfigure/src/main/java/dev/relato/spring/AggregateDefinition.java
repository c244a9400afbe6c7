package dev.relato.spring;

import dev.relato.StreamId;
import dev.relato.aggregate.AggregateRoot;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * An aggregate root declared as a bean: the auto-configuration turns it into an
 * {@link dev.relato.aggregate.AggregateRootRepository} bean named after the definition bean ({@code orders} gives
 * {@code ordersRepository}), typed with the root and event types so it can be injected by them.
 *
 * <pre>{@code
 * @Bean
 * AggregateDefinition<Order, OrderEvent> orders() {
 *     return AggregateDefinition.of("Order", OrderEvent.class, Order::new);
 * }
 * }</pre>
 *
 * @param category  the streams' category ({@link StreamId} rules)
 * @param eventType the events' common type, registered with the serializer
 * @param factory   makes an empty root, once per load
 * @param <R> the root type
 * @param <E> the event type
 */
public record AggregateDefinition<R extends AggregateRoot<E>, E>(String category, Class<E> eventType,
                                                                 Supplier<? extends R> factory) {
    /** @throws IllegalArgumentException if {@code category} is not a valid stream category */
    public AggregateDefinition {
        StreamId.of(Objects.requireNonNull(category, "category"), "id");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(factory, "factory");
    }

    public static <R extends AggregateRoot<E>, E> AggregateDefinition<R, E> of(String category, Class<E> eventType,
                                                                               Supplier<? extends R> factory) {
        return new AggregateDefinition<>(category, eventType, factory);
    }
}
