package dev.relato.projection;

import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.order.OrderEvent.OrderPlaced;
import dev.relato.order.OrderEvent;
import dev.relato.projection.ProjectionRunnerTest.OrderBook;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.time.Instant;
import java.util.List;

/** Orders placed in a store, and projections of them into an {@link OrderBook}, for the runner tests. */
final class PlacedOrders {
    static final Instant AT = Instant.parse("2024-05-01T10:00:00Z");
    static final EventSerializer SERIALIZER =
            EventSerializer.of(EventTypes.builder().registerSealed(OrderEvent.class).build());

    private PlacedOrders() {
    }

    /** Places orders {@code o-1} to {@code o-<count>}, one stream each. */
    static void place(EventStore store, int count) {
        for (int i = 1; i <= count; i++) {
            store.append(StreamId.of("Order", "o-" + i), ExpectedVersion.noStream(),
                    List.of(SERIALIZER.serialize(new OrderPlaced("o-" + i, "c-" + i, AT))));
        }
    }

    /** A projection of placed orders through {@code handler}. */
    static Projection<OrderBook> projection(String name, Projection.Handler<OrderBook, OrderPlaced> handler) {
        return Projection.<OrderBook>named(name).on(OrderPlaced.class, handler).build();
    }

    /** A projection that marks each order placed. */
    static Projection<OrderBook> projection(String name) {
        return projection(name, (book, e, rec) -> book.apply(e.orderId(), "placed", rec.position()));
    }
}
