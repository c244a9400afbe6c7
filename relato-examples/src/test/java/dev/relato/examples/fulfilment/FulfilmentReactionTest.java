package dev.relato.examples.fulfilment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.examples.fulfilment.Inventory.Release;
import dev.relato.examples.fulfilment.Inventory.Reserve;
import dev.relato.examples.orders.OrderCommand.CancelOrder;
import dev.relato.examples.orders.OrderCommand.ShipOrder;
import dev.relato.examples.orders.OrderEvent.OrderConfirmed;
import dev.relato.examples.orders.OrderEvent.OrderLineAdded;
import dev.relato.examples.orders.OrderEvent.OrderLineRemoved;
import dev.relato.examples.orders.OrderEvent.OrderPlaced;
import dev.relato.process.CommandRejected;
import dev.relato.process.DeadlineFired;
import dev.relato.test.fixture.ProcessFixture;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fulfilment's decisions as plain values: given inputs, when one more, then commands and deadlines. */
class FulfilmentReactionTest {
    private final ProcessFixture<Fulfilment> fixture = ProcessFixture.of(Fulfilment.manager(Duration.ofMinutes(30)));
    private final Object placed = new OrderPlaced("o-1", "ada");
    private final Object line1 = new OrderLineAdded("o-1", "l1", "sku-1", 2, BigDecimal.ONE);
    private final Object line2 = new OrderLineAdded("o-1", "l2", "sku-2", 1, BigDecimal.ONE);
    private final Object confirmed = new OrderConfirmed("o-1", BigDecimal.valueOf(3));

    @Test
    void confirmingReservesEveryLineAndWaitsForPayment() {
        fixture.given(placed, line1, line2).when(confirmed)
                .thenCommands(new Reserve("sku-1", "o-1", 2), new Reserve("sku-2", "o-1", 1))
                .thenScheduled(Map.of("payment", Duration.ofMinutes(30)))
                .thenState(state -> assertThat(state.stage()).isEqualTo("AWAITING_PAYMENT"))
                .thenRunning();
    }

    @Test
    void aRemovedLineIsNeitherReservedNorReleased() {
        fixture.given(placed, line1, line2, new OrderLineRemoved("o-1", "l1")).when(confirmed)
                .thenCommands(new Reserve("sku-2", "o-1", 1)).thenRunning();
        ProcessFixture.of(Fulfilment.manager(Duration.ofMinutes(30)))
                .given(placed, line1, line2, new OrderLineRemoved("o-1", "l1"), confirmed)
                .when(new DeadlineFired("payment", Instant.EPOCH))
                .thenCommands(new CancelOrder("o-1", "unpaid"), new Release("sku-2", "o-1", 1)).thenFinished();
    }

    @Test
    void paymentCancelsTheDeadlineAndShips() {
        fixture.given(placed, line1, confirmed).when(new Payments.PaymentReceived("o-1", BigDecimal.ONE))
                .thenCancelled("payment").thenCommands(new ShipOrder("o-1")).thenRunning();
    }

    @Test
    void anUnpaidOrderIsCancelledAndItsStockReleased() {
        fixture.given(placed, line1, line2, confirmed).when(new DeadlineFired("payment", Instant.EPOCH))
                .thenCommands(new CancelOrder("o-1", "unpaid"), new Release("sku-1", "o-1", 2),
                        new Release("sku-2", "o-1", 1))
                .thenFinished();
    }

    @Test
    void aRefusedReservationReleasesOnlyTheLinesReservedBeforeIt() {
        fixture.given(placed, line1, line2, confirmed)
                .when(new CommandRejected(new Reserve("sku-2", "o-1", 1), new Inventory.OutOfStock("sku-2", 1, 0)))
                .thenCommands(new CancelOrder("o-1", "out of stock: sku-2"), new Release("sku-1", "o-1", 2))
                .thenFinished();
    }
}
