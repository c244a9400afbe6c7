package dev.relato.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.EventDecodingException;
import dev.relato.EventFilter;
import dev.relato.InvalidInputException;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.order.OrderEvent.OrderConfirmed;
import dev.relato.order.OrderEvent.OrderLineAdded;
import dev.relato.order.OrderEvent.OrderPlaced;
import dev.relato.order.OrderEvent;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import dev.relato.serialization.Upcaster;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProjectionTest {
    private static final Instant AT = Instant.parse("2024-05-01T10:00:00Z");

    record CustomerRegistered(String customerId) {
    }

    /** A read model: order id -> status, plus the positions handled. */
    static final class OrderList {
        final Map<String, String> status = new LinkedHashMap<>();
        final List<Long> positions = new ArrayList<>();
    }

    private final EventSerializer serializer = EventSerializer.builder(EventTypes.builder()
                    .registerSealed(OrderEvent.class).register(CustomerRegistered.class).build())
            .upcasters(Upcaster.renaming("OrderCreated", 1, "OrderPlaced", 1, tree -> tree))
            .build();

    private final Projection<OrderList> orderList = Projection.<OrderList>named("order-list")
            .on(OrderPlaced.class, (list, e, rec) -> {
                list.status.put(e.orderId(), "placed by " + e.customer());
                list.positions.add(rec.position());
            })
            .on(OrderConfirmed.class, (list, e, rec) -> list.status.put(e.orderId(), "confirmed"))
            .categories("Order")
            .build();

    private long position;

    private RecordedEvent record(StreamId stream, Object event) {
        EventData data = serializer.serialize(event);
        return record(stream, data.type(), data.payload());
    }

    private RecordedEvent record(StreamId stream, String type, String payload) {
        position++;
        return new RecordedEvent(UUID.randomUUID(), stream, position, position, type, 1, payload, Metadata.empty(), AT,
                AT);
    }

    @Test
    void handlersUpdateTheReadModelAndUnhandledEventsAreIgnored() throws Exception {
        OrderList list = new OrderList();
        StreamId o1 = StreamId.of("Order", "o-1");

        assertThat(orderList.handle(list, record(o1, new OrderPlaced("o-1", "alice", AT)), serializer)).isTrue();
        assertThat(orderList.handle(list, record(o1, new OrderLineAdded("o-1", "a", 1, BigDecimal.ONE)), serializer))
                .isFalse();
        assertThat(orderList.handle(list, record(o1, new OrderConfirmed("o-1")), serializer)).isTrue();
        assertThat(orderList.handle(list, record(StreamId.of("Customer", "c"), new CustomerRegistered("c")), serializer))
                .isFalse();

        assertThat(list.status).containsExactly(Map.entry("o-1", "confirmed"));
        assertThat(list.positions).containsExactly(1L);
    }

    @Test
    void aLiveAwareHandlerIsToldWhetherTheEventIsLiveAndInlineProjectionsAreLive() throws Exception {
        List<String> seen = new ArrayList<>();
        Projection<List<String>> notifying = Projection.<List<String>>named("notifying")
                .on(OrderPlaced.class, (sent, e, rec, live) -> sent.add(e.orderId() + (live ? " live" : " replayed")))
                .on(OrderConfirmed.class, (sent, e, rec) -> sent.add(e.orderId() + " confirmed"))
                .build();
        StreamId o1 = StreamId.of("Order", "o-1");

        notifying.handle(seen, record(o1, new OrderPlaced("o-1", "alice", AT)), serializer);
        notifying.handle(seen, record(o1, new OrderPlaced("o-2", "bob", AT)), serializer, true);
        InlineProjections.of(serializer, List.of(notifying)).apply(seen, List.of(
                record(o1, new OrderPlaced("o-3", "carol", AT)), record(o1, new OrderConfirmed("o-3"))));

        assertThat(seen).containsExactly("o-1 replayed", "o-2 live", "o-3 live", "o-3 confirmed");
    }

    @Test
    void otherCategoriesAreIgnoredEvenForHandledTypes() throws Exception {
        OrderList list = new OrderList();

        orderList.handle(list, record(StreamId.of("Archive", "o-1"), new OrderPlaced("o-1", "alice", AT)), serializer);

        assertThat(list.status).isEmpty();
    }

    @Test
    void theFilterNamesCategoriesAndEveryTypeNameThatDecodesToAHandledClass() {
        EventFilter filter = orderList.filter(serializer);

        assertThat(filter.categories()).containsExactly("Order");
        assertThat(filter.types()).containsExactlyInAnyOrder("OrderPlaced", "OrderCreated", "OrderConfirmed");
    }

    @Test
    void renamedHistoricalTypesReachTheirHandler() throws Exception {
        OrderList list = new OrderList();

        orderList.handle(list, record(StreamId.of("Order", "o-7"), "OrderCreated",
                "{\"orderId\":\"o-7\",\"customer\":\"bob\",\"placedAt\":\"2024-05-01T10:00:00Z\"}"), serializer);

        assertThat(list.status).containsExactly(Map.entry("o-7", "placed by bob"));
    }

    @Test
    void aHandlerForAnInterfaceReceivesEventsWithoutTheirOwnHandler() throws Exception {
        List<String> seen = new ArrayList<>();
        Projection<List<String>> audit = Projection.<List<String>>named("audit")
                .on(OrderConfirmed.class, (log, e, rec) -> log.add("confirmed " + e.orderId()))
                .on(OrderEvent.class, (log, e, rec) -> log.add(e.getClass().getSimpleName()))
                .build();
        StreamId o1 = StreamId.of("Order", "o-1");

        audit.handle(seen, record(o1, new OrderPlaced("o-1", "alice", AT)), serializer);
        audit.handle(seen, record(o1, new OrderConfirmed("o-1")), serializer);

        assertThat(seen).containsExactly("OrderPlaced", "confirmed o-1");
        assertThat(audit.filter(serializer)).isEqualTo(new EventFilter(Set.of(),
                Set.of("OrderPlaced", "OrderCreated", "OrderLineAdded", "OrderConfirmed")));
    }

    @Test
    void decodingAndHandlerFailuresReachTheRunner() {
        OrderList list = new OrderList();
        RecordedEvent malformed = record(StreamId.of("Order", "o-1"), "OrderPlaced", "{\"placedAt\":\"yesterday\"}");
        Projection<OrderList> failing = Projection.<OrderList>named("failing")
                .on(OrderPlaced.class, (l, e, rec) -> {
                    throw new java.io.IOException("read model unavailable");
                })
                .build();

        assertThatThrownBy(() -> orderList.handle(list, malformed, serializer))
                .isInstanceOf(EventDecodingException.class).hasMessageContaining("'Order-o-1'");
        assertThatThrownBy(() -> failing.handle(list, record(StreamId.of("Order", "o-1"),
                new OrderPlaced("o-1", "alice", AT)), serializer))
                .isInstanceOf(java.io.IOException.class).hasMessage("read model unavailable");
    }

    @Test
    void definitionsAreValidated() {
        assertThatThrownBy(() -> Projection.named(" ")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Projection.<Object>named("p").build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no handlers");
        assertThatThrownBy(() -> Projection.<Object>named("p").on(OrderPlaced.class, (c, e, r) -> { })
                .on(OrderPlaced.class, (c, e, r) -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already has a handler");
        assertThatThrownBy(() -> Projection.<Object>named("p").categories("not a category"))
                .isInstanceOf(InvalidInputException.class);
        assertThat(orderList.name()).isEqualTo("order-list");
        assertThat(orderList.eventClasses()).containsExactly(OrderPlaced.class, OrderConfirmed.class);
    }
}
