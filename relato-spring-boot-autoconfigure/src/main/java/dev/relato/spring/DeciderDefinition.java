package dev.relato.spring;

import dev.relato.StreamId;
import dev.relato.aggregate.Decider;
import java.util.Objects;

/**
 * A decider declared as a bean: the auto-configuration turns it into a {@link dev.relato.aggregate.DeciderRepository}
 * bean named after the definition bean ({@code orders} gives {@code ordersRepository}), typed with the decider's
 * command, event and state types so it can be injected by them.
 *
 * <pre>{@code
 * @Bean
 * DeciderDefinition<OrderCommand, OrderEvent, OrderState> orders() {
 *     return DeciderDefinition.of("Order", OrderEvent.class, new OrderDecider());
 * }
 * }</pre>
 *
 * @param category  the streams' category ({@link StreamId} rules)
 * @param eventType the events' common type, registered with the serializer
 * @param decider   the decider
 * @param <C> the command type
 * @param <E> the event type
 * @param <S> the state type
 */
public record DeciderDefinition<C, E, S>(String category, Class<E> eventType, Decider<C, E, S> decider) {
    /** @throws IllegalArgumentException if {@code category} is not a valid stream category */
    public DeciderDefinition {
        StreamId.of(Objects.requireNonNull(category, "category"), "id");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(decider, "decider");
    }

    public static <C, E, S> DeciderDefinition<C, E, S> of(String category, Class<E> eventType,
                                                          Decider<C, E, S> decider) {
        return new DeciderDefinition<>(category, eventType, decider);
    }
}
