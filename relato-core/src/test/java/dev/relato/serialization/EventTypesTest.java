package dev.relato.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.order.OrderEvent;
import dev.relato.order.OrderEvent.OrderConfirmed;
import dev.relato.order.OrderEvent.OrderLineAdded;
import dev.relato.order.OrderEvent.OrderPlaced;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventTypesTest {

    sealed interface Shipment permits Shipped, Delivery {
    }

    record Shipped(String id) implements Shipment {
    }

    sealed interface Delivery extends Shipment permits Delivered, Returned {
    }

    @EventType(name = "shipment.delivered", version = 3)
    record Delivered(String id) implements Delivery {
    }

    record Returned(String id) implements Delivery {
    }

    interface NotSealed {
    }

    record Other(String id) {
    }

    @EventType(name = "Shipped")
    record ShippedAgain(String id) {
    }

    @Test
    void sealedRegistrationFindsEveryConcreteClassRecursively() {
        EventTypes types = EventTypes.builder().registerSealed(Shipment.class).build();

        assertThat(types.all()).containsExactly(
                new RegisteredType(Shipped.class, "Shipped", 1),
                new RegisteredType(Delivered.class, "shipment.delivered", 3),
                new RegisteredType(Returned.class, "Returned", 1));
        assertThat(types.find("shipment.delivered")).map(RegisteredType::eventClass).contains(Delivered.class);
        assertThat(types.find(Returned.class)).map(RegisteredType::name).contains("Returned");
        assertThat(types.find("Nope")).isEmpty();
        assertThat(types.find(Other.class)).isEmpty();
    }

    @Test
    void orderDomainRegistersInOneCall() {
        EventTypes types = EventTypes.builder().registerSealed(OrderEvent.class).build();

        assertThat(types.require(OrderPlaced.class)).isEqualTo(new RegisteredType(OrderPlaced.class, "OrderPlaced", 1));
        assertThat(types.require(OrderLineAdded.class).name()).isEqualTo("OrderLineAdded");
        assertThat(types.require(OrderConfirmed.class).version()).isEqualTo(1);
    }

    @Test
    void explicitRegistrationOverridesTheAnnotation() {
        EventTypes types = EventTypes.builder().register(Delivered.class, "Delivered", 7).build();

        assertThat(types.require(Delivered.class)).isEqualTo(new RegisteredType(Delivered.class, "Delivered", 7));
    }

    @Test
    void aClassRegisteredTwiceIsRejected() {
        EventTypes.Builder builder = EventTypes.builder().register(Shipped.class);

        assertThatThrownBy(() -> builder.register(Shipped.class, "ShippedV2", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Shipped.class.getName())
                .hasMessageContaining("registered twice");
    }

    @Test
    void aNameClaimedTwiceIsRejected() {
        EventTypes.Builder builder = EventTypes.builder().registerSealed(Shipment.class);

        assertThatThrownBy(() -> builder.register(ShippedAgain.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Shipped'")
                .hasMessageContaining(Shipped.class.getName())
                .hasMessageContaining(ShippedAgain.class.getName());
    }

    @Test
    void invalidRegistrationsAreRejected() {
        assertThatThrownBy(() -> EventTypes.builder().register(Other.class, " ", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> EventTypes.builder().register(Other.class, "bad\nname", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
        assertThatThrownBy(() -> EventTypes.builder().register(Other.class, "Other", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start at 1");
        assertThatThrownBy(() -> EventTypes.builder().register(Shipment.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("abstract");
        assertThatThrownBy(() -> EventTypes.builder().registerSealed(NotSealed.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not sealed");
        assertThatThrownBy(() -> EventTypes.builder().build().require(Other.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not registered");
    }

    @Test
    void typeNamesExpandInterfacesToTheirRegisteredClasses() {
        EventTypes types = EventTypes.builder().registerSealed(Shipment.class).register(Other.class).build();

        assertThat(types.typeNames(List.of(Delivery.class))).containsExactlyInAnyOrder("shipment.delivered", "Returned");
        assertThat(types.typeNames(List.of(Shipped.class, Other.class))).containsExactlyInAnyOrder("Shipped", "Other");
        assertThatThrownBy(() -> types.typeNames(List.of(NotSealed.class)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(NotSealed.class.getName());
    }

    @Test
    void theRegistryIsUnaffectedByLaterUseOfItsBuilder() {
        EventTypes.Builder builder = EventTypes.builder().register(Shipped.class);
        EventTypes first = builder.build();
        builder.register(Other.class);

        assertThat(first.find(Other.class)).isEmpty();
        assertThat(builder.build().find(Other.class)).isPresent();
    }
}
