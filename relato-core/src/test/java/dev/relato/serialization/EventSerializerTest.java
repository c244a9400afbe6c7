package dev.relato.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.Envelope;
import dev.relato.EventData;
import dev.relato.EventDecodingException;
import dev.relato.InvalidEventException;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.order.OrderEvent.OrderLineAdded;
import dev.relato.order.OrderEvent.OrderPlaced;
import dev.relato.order.OrderEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventSerializerTest {
    private static final StreamId STREAM = StreamId.of("Customer", "c-1");

    @EventType(name = "CustomerRenamed", version = 3)
    record CustomerRenamed(String customerId, String firstName, String lastName) {
    }

    record Unregistered(String id) {
    }

    /** v1 {"id","name"} -> v2 {"customerId","name"}. */
    private static final Upcaster V1_TO_V2 = Upcaster.of("CustomerRenamed", 1, tree -> {
        ObjectNode o = (ObjectNode) tree;
        o.set("customerId", o.remove("id"));
        return o;
    });

    /** v2 {"customerId","name"} -> v3 {"customerId","firstName","lastName"}. */
    private static final Upcaster V2_TO_V3 = Upcaster.of("CustomerRenamed", 2, tree -> {
        ObjectNode o = (ObjectNode) tree;
        String[] parts = o.remove("name").asText().split(" ", 2);
        o.put("firstName", parts[0]).put("lastName", parts[1]);
        return o;
    });

    /** The type was once called ClientRenamed, with the v1 shape. */
    private static final Upcaster CLIENT_TO_CUSTOMER = Upcaster.renaming("ClientRenamed", 1, "CustomerRenamed", 1,
            tree -> tree);

    private final EventTypes types = EventTypes.builder().registerSealed(OrderEvent.class)
            .register(CustomerRenamed.class).build();
    private final CountingCodec codec = new CountingCodec(new JacksonEventCodec());
    private final EventSerializer serializer = EventSerializer.builder(types).codec(codec)
            .upcasters(V2_TO_V3, V1_TO_V2, CLIENT_TO_CUSTOMER).build();

    private static RecordedEvent stored(String type, int version, String payload) {
        Instant at = Instant.parse("2024-01-01T00:00:00Z");
        return new RecordedEvent(UUID.randomUUID(), STREAM, 7, 42, type, version, payload, Metadata.empty(), at, at);
    }

    private static RecordedEvent stored(EventData data) {
        return stored(data.type(), data.schemaVersion(), data.payload());
    }

    @Test
    void serializesUnderTheRegisteredNameAndVersion() {
        UUID id = UUID.randomUUID();
        Metadata metadata = Metadata.empty().withCorrelationId("corr-1");
        EventData data = serializer.serialize(new CustomerRenamed("c-1", "Ada", "Lovelace"), metadata, id);

        assertThat(data.eventId()).isEqualTo(id);
        assertThat(data.type()).isEqualTo("CustomerRenamed");
        assertThat(data.schemaVersion()).isEqualTo(3);
        assertThat(data.metadata()).isEqualTo(metadata);
        assertThat(codec.readTree(data.payload()).get("lastName").asText()).isEqualTo("Lovelace");
        assertThat(serializer.serialize(new OrderEvent.OrderConfirmed("o-1")).metadata()).isEqualTo(Metadata.empty());
    }

    @Test
    void currentEventsRoundTripWithoutBuildingATree() {
        OrderLineAdded line = new OrderLineAdded("o-1", "apple", 3, new BigDecimal("0.30"));
        OrderPlaced placed = new OrderPlaced("o-1", "alice", Instant.parse("2024-05-01T10:15:30Z"));
        codec.trees.set(0);

        assertThat(serializer.deserialize(stored(serializer.serialize(line)))).isEqualTo(line);
        assertThat(serializer.deserialize(stored(serializer.serialize(placed)))).isEqualTo(placed);
        assertThat(codec.trees.get()).isZero();
    }

    @Test
    void upcastersAreChainedOnRead() {
        Object fromV1 = serializer.deserialize(stored("CustomerRenamed", 1, "{\"id\":\"c-1\",\"name\":\"Ada Lovelace\"}"));
        Object fromV2 = serializer.deserialize(stored("CustomerRenamed", 2,
                "{\"customerId\":\"c-2\",\"name\":\"Grace Hopper\"}"));

        assertThat(fromV1).isEqualTo(new CustomerRenamed("c-1", "Ada", "Lovelace"));
        assertThat(fromV2).isEqualTo(new CustomerRenamed("c-2", "Grace", "Hopper"));
    }

    @Test
    void renamedTypesAreUpcastIntoTheirNewName() {
        Object event = serializer.deserialize(stored("ClientRenamed", 1, "{\"id\":\"c-3\",\"name\":\"Alan Turing\"}"));

        assertThat(event).isEqualTo(new CustomerRenamed("c-3", "Alan", "Turing"));
        assertThat(serializer.typeNames(List.of(CustomerRenamed.class)))
                .containsExactlyInAnyOrder("CustomerRenamed", "ClientRenamed");
        assertThat(serializer.typeNames(List.of(OrderEvent.class)))
                .containsExactlyInAnyOrder("OrderPlaced", "OrderLineAdded", "OrderConfirmed");
    }

    @Test
    void typedDecodeReturnsAnEnvelope() {
        RecordedEvent record = stored(serializer.serialize(new OrderEvent.OrderConfirmed("o-9")));

        Envelope<OrderEvent> envelope = serializer.decode(record, OrderEvent.class);

        assertThat(envelope.event()).isEqualTo(new OrderEvent.OrderConfirmed("o-9"));
        assertThat(envelope.record()).isSameAs(record);
        assertThat(envelope.position()).isEqualTo(42);
        assertThat(envelope.streamId()).isEqualTo(STREAM);
    }

    @Test
    void unregisteredClassesCannotBeSerialized() {
        assertThatThrownBy(() -> serializer.serialize(new Unregistered("x")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining(Unregistered.class.getName())
                .hasMessageContaining("not registered");
    }

    @Test
    void unknownTypesFailNamingTheRecord() {
        assertDecodingFails(stored("Mystery", 1, "{}"), "Mystery", "not registered");
    }

    @Test
    void missingUpcastersFailNamingTheRecord() {
        EventSerializer withoutUpcasters = EventSerializer.builder(types).codec(codec).build();

        assertDecodingFails(withoutUpcasters, stored("CustomerRenamed", 1, "{}"), "CustomerRenamed",
                "no upcaster brings 'CustomerRenamed' from v1 to its registered v3");
        assertDecodingFails(stored("CustomerRenamed", 4, "{}"), "CustomerRenamed", "newer than the registered v3");
    }

    @Test
    void malformedPayloadsFailNamingTheRecord() {
        assertDecodingFails(stored("OrderLineAdded", 1, "{\"quantity\":\"many\"}"), "OrderLineAdded",
                "payload does not match " + OrderLineAdded.class.getName());
        assertDecodingFails(stored("CustomerRenamed", 1, "[1,2]"), "CustomerRenamed", "upcaster CustomerRenamed v1");
    }

    @Test
    void typedDecodeRejectsEventsOfAnotherType() {
        RecordedEvent record = stored(serializer.serialize(new CustomerRenamed("c-1", "Ada", "Lovelace")));

        assertThatThrownBy(() -> serializer.decode(record, OrderEvent.class))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("which is not a " + OrderEvent.class.getName());
    }

    @Test
    void inconsistentUpcastersAreRejectedWhenBuilding() {
        assertThatThrownBy(() -> EventSerializer.builder(types).upcasters(V1_TO_V2, Upcaster.of("CustomerRenamed", 1,
                t -> t))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two upcasters");
        assertThatThrownBy(() -> EventSerializer.builder(types).upcasters(Upcaster.of("CustomerRenamed", 3, t -> t)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registered at that version");
        assertThatThrownBy(() -> EventSerializer.builder(types).upcasters(
                Upcaster.renaming("A", 1, "B", 1, t -> t), Upcaster.renaming("B", 1, "A", 1, t -> t)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loop");
        assertThatThrownBy(() -> Upcaster.renaming("A", 2, "A", 2, t -> t))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must raise its version");
    }

    private void assertDecodingFails(RecordedEvent record, String type, String problem) {
        assertDecodingFails(serializer, record, type, problem);
    }

    private static void assertDecodingFails(EventSerializer serializer, RecordedEvent record, String type, String problem) {
        assertThatThrownBy(() -> serializer.deserialize(record))
                .isInstanceOfSatisfying(EventDecodingException.class, e -> {
                    assertThat(e.stream()).isEqualTo(STREAM);
                    assertThat(e.streamVersion()).isEqualTo(7);
                    assertThat(e.position()).isEqualTo(42);
                    assertThat(e.type()).isEqualTo(type);
                    assertThat(e.getMessage()).contains("'Customer-c-1' version 7, position 42", "'" + type + "'",
                            problem);
                });
    }

    /** Counts the JSON trees built, to prove the fast path. */
    private static final class CountingCodec implements EventCodec {
        private final EventCodec delegate;
        private final AtomicInteger trees = new AtomicInteger();

        CountingCodec(EventCodec delegate) {
            this.delegate = delegate;
        }

        @Override
        public String encode(Object value) {
            return delegate.encode(value);
        }

        @Override
        public <T> T decode(String json, Class<T> type) {
            return delegate.decode(json, type);
        }

        @Override
        public JsonNode readTree(String json) {
            trees.incrementAndGet();
            return delegate.readTree(json);
        }

        @Override
        public <T> T fromTree(JsonNode tree, Class<T> type) {
            return delegate.fromTree(tree, type);
        }
    }
}
