package dev.relato.examples.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import dev.relato.WrongExpectedVersionException;
import dev.relato.aggregate.AggregateRoot;
import dev.relato.aggregate.AggregateRootRepository;
import dev.relato.aggregate.SnapshotPolicy;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import dev.relato.sqlite.SqliteEventStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The code of guides/aggregate-root.md, run; its Order serves the other guides too. */
class AggregateRootGuideTest {
    @TempDir
    Path dir;

    // guide:begin
    sealed interface OrderEvent permits OrderPlaced, LineAdded, OrderConfirmed {}
    record OrderPlaced(String customer) implements OrderEvent {}
    record LineAdded(String sku, int quantity) implements OrderEvent {}
    record OrderConfirmed() implements OrderEvent {}

    @JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
            isGetterVisibility = Visibility.NONE)
    static final class Order extends AggregateRoot<OrderEvent> {
        private String customer;
        private int lines;
        private boolean confirmed;

        void place(String who) { raise(new OrderPlaced(who)); }
        void addLine(String sku, int quantity) {
            if (confirmed) throw new IllegalStateException("order " + id() + " is confirmed");
            raise(new LineAdded(sku, quantity));
        }
        void confirm() { raise(new OrderConfirmed()); }
        int lines() { return lines; }
        String customer() { return customer; }

        @Override protected void apply(OrderEvent event) {
            if (event instanceof OrderPlaced placed) customer = placed.customer();
            if (event instanceof LineAdded) lines++;
            if (event instanceof OrderConfirmed) confirmed = true;
        }
    }

    static final EventSerializer SERIALIZER =
            EventSerializer.of(EventTypes.builder().registerSealed(OrderEvent.class).build());
    // guide:end

    // guide:begin
    static AggregateRootRepository<Order, OrderEvent> orders(SqliteEventStore store) {
        return AggregateRootRepository.builder(store, SERIALIZER, "Order", OrderEvent.class, Order.class)
                .snapshots(store.snapshots(), SnapshotPolicy.everyEvents(100), 1) // checked by build()
                .build();
    }

    static Order placeAndConfirm(AggregateRootRepository<Order, OrderEvent> orders) {
        orders.create("o-1", order -> order.place("alice"));       // fails if o-1 exists, whatever it raises
        orders.update("o-1", order -> { order.addLine("book", 2); order.confirm(); }); // retried on a conflict
        orders.loadOrCreate("o-2", order -> order.place("bob"));   // loads o-2, or creates it if it is missing
        orders.snapshotNow("o-1");                                  // whatever the policy says
        return orders.loadWithoutSnapshot("o-1").orElseThrow();     // from the events alone
    }
    // guide:end

    @Test
    void theGuideRuns() {
        try (var store = SqliteEventStore.open(dir.resolve("orders.db"))) {
            var orders = orders(store);
            assertThat(placeAndConfirm(orders).lines()).isEqualTo(1);
            assertThat(orders.load("o-1").orElseThrow().customer()).isEqualTo("alice");
            assertThat(store.snapshots().load(orders.stream("o-1")).orElseThrow().version()).isEqualTo(3);
            assertThatThrownBy(() -> orders.create("o-1", order -> { }))
                    .isInstanceOf(WrongExpectedVersionException.class);
            assertThatThrownBy(() -> orders.update("o-1", order -> order.addLine("pen", 1)))
                    .hasMessageContaining("confirmed");
        }
    }
}
