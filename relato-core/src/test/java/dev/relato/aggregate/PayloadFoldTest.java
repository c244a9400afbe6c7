package dev.relato.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventDecodingException;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.ForwardingEventStore;
import dev.relato.PayloadReads;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import dev.relato.command.Command;
import dev.relato.command.CommandBus;
import dev.relato.command.Receipt;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.order.OrderCommand.AddLine;
import dev.relato.order.OrderCommand.PlaceOrder;
import dev.relato.order.OrderCommand;
import dev.relato.order.OrderDecider;
import dev.relato.order.OrderEvent;
import dev.relato.order.OrderState;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import dev.relato.serialization.Upcaster;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A repository over a store with {@link PayloadReads} folds those, and decodes as it does from whole records. */
class PayloadFoldTest {
    private static final Instant PLACED_AT = Instant.parse("2024-05-01T10:00:00Z");
    private static final StreamId O1 = StreamId.of("Order", "o-1");

    private final InMemoryEventStore base = InMemoryEventStore.create();
    private final PayloadStore store = new PayloadStore(base);
    private final EventSerializer serializer = EventSerializer.builder(EventTypes.builder()
                    .registerSealed(OrderEvent.class).register(Unrelated.class, "Unrelated", 1).build())
            .upcasters(Upcaster.renaming("LineAdded", 1, "OrderLineAdded", 1, tree -> {
                ObjectNode line = (ObjectNode) tree;
                line.set("sku", line.remove("article"));
                return line;
            }))
            .build();

    /** A registered event class that is not an {@link OrderEvent}. */
    record Unrelated(String note) {
    }

    @AfterEach
    void close() {
        store.close();
    }

    private DeciderRepository<OrderCommand, OrderEvent, OrderState> repository(EventStore on) {
        return DeciderRepository.builder(on, serializer, "Order", OrderEvent.class, new OrderDecider()).build();
    }

    @Test
    void loadsFoldPayloadReadsToTheStateWholeRecordsGive() {
        DeciderRepository<OrderCommand, OrderEvent, OrderState> orders = repository(store);
        orders.handle("o-1", new PlaceOrder("o-1", "alice", PLACED_AT));
        orders.handle("o-1", new AddLine("o-1", "apple", 2, new BigDecimal("1.25")));
        base.append(O1, ExpectedVersion.exactly(2), List.of(EventData.of("LineAdded",
                "{\"orderId\":\"o-1\",\"article\":\"pear\",\"quantity\":1,\"unitPrice\":3}")));
        store.payloadReads.set(0);

        Aggregate<OrderState> loaded = orders.load("o-1").orElseThrow();

        assertThat(store.payloadReads).hasValue(1);
        assertThat(loaded).isEqualTo(repository(base).load("o-1").orElseThrow());
        assertThat(loaded.version()).isEqualTo(3);
        assertThat(loaded.state().lines()).extracting(OrderState.Line::sku).containsExactly("apple", "pear");
        assertThat(orders.load("o-1", 2).orElseThrow().state().lines()).hasSize(1);
        assertThat(orders.load("o-2")).isEmpty();
    }

    @Test
    void anUndecodableEventFailsTheLoadNamingItsRecord() {
        base.append(O1, ExpectedVersion.noStream(), List.of(serializer.serialize(
                new OrderEvent.OrderPlaced("o-1", "alice", PLACED_AT))));
        AppendResult bad = base.append(O1, ExpectedVersion.exactly(1),
                List.of(EventData.of("OrderLineAdded", "{\"quantity\":\"many\"}")));

        assertThatThrownBy(() -> repository(store).load("o-1"))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.stream()).isEqualTo(O1);
                    assertThat(e.streamVersion()).isEqualTo(2);
                    assertThat(e.position()).isEqualTo(bad.lastPosition());
                    assertThat(e.getMessage()).contains("payload does not match");
                });
    }

    @Test
    void anEventOfAnotherClassFailsTheLoadAsFromWholeRecords() {
        AppendResult other = base.append(O1, ExpectedVersion.noStream(),
                List.of(serializer.serialize(new Unrelated("not an order"))));

        assertThatThrownBy(() -> repository(store).load("o-1"))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.position()).isEqualTo(other.lastPosition());
                    assertThat(e.getMessage()).contains("which is not a " + OrderEvent.class.getName());
                });
    }

    @Test
    void commandsFoldPayloadReadsTooAndStillRecogniseTheirOwnRetries() {
        CommandBus bus = CommandBus.builder(store)
                .decider(PlaceOrder.class, repository(store), PlaceOrder::orderId)
                .decider(AddLine.class, repository(store), AddLine::orderId)
                .build();
        bus.send(new PlaceOrder("o-1", "alice", PLACED_AT));
        Command<AddLine> add = Command.of(new AddLine("o-1", "apple", 2, new BigDecimal("1.25")));
        store.payloadReads.set(0);

        Receipt first = bus.send(add);
        Receipt again = bus.send(add); // the reply to the first was lost: sent again with the same id

        assertThat(store.payloadReads).as("each attempt folds payload reads").hasValueGreaterThanOrEqualTo(2);
        assertThat(first.repeated()).isFalse();
        assertThat(again.repeated()).isTrue();
        assertThat(again.appends()).extracting(AppendResult::lastVersion).containsExactly(2L);
        assertThat(base.read(O1)).hasSize(2);
    }

    /** A store that offers payload reads, derived from its stream reads, and counts them. */
    private static final class PayloadStore extends ForwardingEventStore implements PayloadReads {
        final AtomicInteger payloadReads = new AtomicInteger();

        PayloadStore(EventStore delegate) {
            super(delegate);
        }

        @Override
        public List<StoredPayload> readPayloads(StreamId stream, StreamRead read) {
            payloadReads.incrementAndGet();
            return read(stream, read).stream().map(e -> new StoredPayload(e.streamVersion(), e.eventId(), e.type(),
                    e.schemaVersion(), e.payload())).toList();
        }
    }
}
