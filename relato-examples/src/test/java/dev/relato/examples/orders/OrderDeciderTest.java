package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.examples.orders.OrderCommand.AddLine;
import dev.relato.examples.orders.OrderCommand.CancelOrder;
import dev.relato.examples.orders.OrderCommand.ConfirmOrder;
import dev.relato.examples.orders.OrderCommand.PlaceOrder;
import dev.relato.examples.orders.OrderCommand.RemoveLine;
import dev.relato.examples.orders.OrderCommand.ShipOrder;
import dev.relato.examples.orders.OrderEvent.OrderCancelled;
import dev.relato.examples.orders.OrderEvent.OrderConfirmed;
import dev.relato.examples.orders.OrderEvent.OrderLineAdded;
import dev.relato.examples.orders.OrderEvent.OrderLineRemoved;
import dev.relato.examples.orders.OrderEvent.OrderPlaced;
import dev.relato.examples.orders.OrderEvent.OrderShipped;
import dev.relato.examples.orders.OrderRejectedException.Reason;
import dev.relato.test.fixture.DeciderFixture;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderDeciderTest {
    private static final String ID = "o-1";
    private static final DeciderFixture<OrderCommand, OrderEvent, OrderState> ORDERS =
            DeciderFixture.of(new OrderDecider()).withSerializer(OrdersService.serializer());

    private static final OrderPlaced PLACED = new OrderPlaced(ID, "alice");
    private static final OrderLineAdded BOOK = new OrderLineAdded(ID, "l-1", "BOOK", 2, new BigDecimal("12.50"));
    private static final OrderLineAdded PEN = new OrderLineAdded(ID, "l-2", "PEN", 3, new BigDecimal("1.10"));
    private static final OrderConfirmed CONFIRMED = new OrderConfirmed(ID, new BigDecimal("25.00"));

    @Test
    void placesAnOrderForATrimmedCustomer() {
        ORDERS.when(new PlaceOrder(ID, "  alice ")).then(PLACED)
                .thenState(s -> assertThat(s.status()).isEqualTo(OrderStatus.OPEN));
    }

    @Test
    void placesOnlyOnce() {
        rejected(ORDERS.given(PLACED).when(new PlaceOrder(ID, "bob")), Reason.ORDER_ALREADY_PLACED);
    }

    @Test
    void needsACustomer() {
        rejected(ORDERS.when(new PlaceOrder(ID, " ")), Reason.INVALID_CUSTOMER);
        rejected(ORDERS.when(new PlaceOrder(ID, "x".repeat(101))), Reason.INVALID_CUSTOMER);
        rejected(ORDERS.when(new PlaceOrder(ID, "a\nb")), Reason.INVALID_CUSTOMER);
    }

    @Test
    void commandsOnAnOrderNotPlacedFindNothing() {
        rejected(ORDERS.when(new ConfirmOrder(ID)), Reason.ORDER_NOT_FOUND);
        rejected(ORDERS.when(new AddLine(ID, "l-1", "BOOK", 1, BigDecimal.ONE)), Reason.ORDER_NOT_FOUND);
        rejected(ORDERS.when(new CancelOrder(ID, "why")), Reason.ORDER_NOT_FOUND);
    }

    @Test
    void addsAndRemovesLinesWhileOpen() {
        ORDERS.given(PLACED, BOOK).when(new AddLine(ID, "l-2", "PEN", 3, new BigDecimal("1.10"))).then(PEN)
                .thenState(s -> {
                    assertThat(s.lines()).extracting(OrderLine::lineId).containsExactly("l-1", "l-2");
                    assertThat(s.total()).isEqualByComparingTo("28.30");
                });
        ORDERS.given(PLACED, BOOK, PEN).when(new RemoveLine(ID, "l-1")).then(new OrderLineRemoved(ID, "l-1"))
                .thenState(s -> assertThat(s.total()).isEqualByComparingTo("3.30"));
    }

    @Test
    void rejectsInvalidLines() {
        rejected(ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "BOOK", 0, BigDecimal.ONE)), Reason.INVALID_QUANTITY);
        rejected(ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "BOOK", -1, BigDecimal.ONE)), Reason.INVALID_QUANTITY);
        rejected(ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "BOOK", 1_000_001, BigDecimal.ONE)),
                Reason.INVALID_QUANTITY);
        rejected(ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "BOOK", 1, new BigDecimal("-0.01"))),
                Reason.INVALID_PRICE);
        rejected(ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "BOOK", 1, new BigDecimal("0.00001"))),
                Reason.INVALID_PRICE);
        rejected(ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "", 1, BigDecimal.ONE)), Reason.INVALID_SKU);
        rejected(ORDERS.given(PLACED, BOOK).when(new AddLine(ID, "l-1", "PEN", 1, BigDecimal.ONE)),
                Reason.DUPLICATE_LINE);
        ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "FREE", 1, new BigDecimal("0.000")))
                .then(new OrderLineAdded(ID, "l-1", "FREE", 1, new BigDecimal("0.00")));
    }

    @Test
    void storesTheCanonicalPriceItChecked() {
        ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "BOOK", 2, new BigDecimal("12.500000")))
                .then(new OrderLineAdded(ID, "l-1", "BOOK", 2, new BigDecimal("12.50")));
        ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "MUG", 1, new BigDecimal("8")))
                .then(new OrderLineAdded(ID, "l-1", "MUG", 1, new BigDecimal("8.00")));
        ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "PIN", 1, new BigDecimal("1.1234")))
                .then(new OrderLineAdded(ID, "l-1", "PIN", 1, new BigDecimal("1.1234")));
    }

    @Test
    void refusesExtremePricesOnTheirDigitsAlone() {
        for (String price : List.of("1e999999999", "0E-10000", "0e-999999999", "12.5" + "0".repeat(63),
                "1E+40", "1000000000000.00", "-0.01")) {
            OrderRejectedException e = ORDERS.given(PLACED).when(new AddLine(ID, "l-1", "X", 1, new BigDecimal(price)))
                    .thenThrows(OrderRejectedException.class);
            assertThat(e.reason()).as(price).isIn(Reason.INVALID_PRICE);
            assertThat(e.getMessage()).as(price).hasSizeLessThan(200);
        }
    }

    @Test
    void refusesLoneSurrogatesNulAndControlCharacters() {
        for (String bad : List.of("a\ud800b", "\udc00", "nul\u0000", "bell\u0007", "x".repeat(10_000))) {
            rejected(ORDERS.when(new PlaceOrder(ID, bad)), Reason.INVALID_CUSTOMER);
            rejected(ORDERS.given(PLACED).when(new AddLine(ID, "l-1", bad, 1, BigDecimal.ONE)), Reason.INVALID_SKU);
            rejected(ORDERS.given(PLACED).when(new CancelOrder(ID, bad)), Reason.INVALID_REASON);
        }
        ORDERS.when(new PlaceOrder(ID, "caf\u00e9 \ud83d\ude00")).then(new OrderPlaced(ID, "caf\u00e9 \ud83d\ude00"));
    }

    @Test
    void readsPricesStoredBeforeTheyWereBoundedInCanonicalForm() {
        ORDERS.given(PLACED, new OrderLineAdded(ID, "l-1", "A", 3, new BigDecimal("0E-10000")),
                        new OrderLineAdded(ID, "l-2", "B", 2, new BigDecimal("12.5" + "0".repeat(63))))
                .when(new ConfirmOrder(ID))
                .then(new OrderConfirmed(ID, new BigDecimal("25.00")))
                .thenState(s -> assertThat(s.lines()).extracting(OrderLine::unitPrice)
                        .containsExactly(new BigDecimal("0.00"), new BigDecimal("12.50")));
    }

    @Test
    void limitsTheNumberOfLines() {
        List<OrderEvent> history = new ArrayList<>(List.of(PLACED));
        for (int i = 0; i < OrderDecider.MAX_LINES; i++) {
            history.add(new OrderLineAdded(ID, "l-" + i, "SKU", 1, BigDecimal.ONE));
        }
        rejected(ORDERS.given(history).when(new AddLine(ID, "one-more", "SKU", 1, BigDecimal.ONE)),
                Reason.TOO_MANY_LINES);
    }

    @Test
    void removesOnlyKnownLines() {
        rejected(ORDERS.given(PLACED, BOOK).when(new RemoveLine(ID, "l-9")), Reason.UNKNOWN_LINE);
        rejected(ORDERS.given(PLACED, BOOK, new OrderLineRemoved(ID, "l-1")).when(new RemoveLine(ID, "l-1")),
                Reason.UNKNOWN_LINE);
    }

    @Test
    void noLineChangesAfterConfirmation() {
        rejected(ORDERS.given(PLACED, BOOK, CONFIRMED).when(new AddLine(ID, "l-2", "PEN", 1, BigDecimal.ONE)),
                Reason.ORDER_NOT_OPEN);
        rejected(ORDERS.given(PLACED, BOOK, CONFIRMED).when(new RemoveLine(ID, "l-1")), Reason.ORDER_NOT_OPEN);
        rejected(ORDERS.given(PLACED, BOOK, new OrderCancelled(ID, "no")).when(new AddLine(ID, "l-2", "PEN", 1,
                BigDecimal.ONE)), Reason.ORDER_NOT_OPEN);
    }

    @Test
    void confirmsOnlyAnOpenOrderWithLines() {
        ORDERS.given(PLACED, BOOK).when(new ConfirmOrder(ID)).then(CONFIRMED)
                .thenState(s -> assertThat(s.status()).isEqualTo(OrderStatus.CONFIRMED));
        rejected(ORDERS.given(PLACED).when(new ConfirmOrder(ID)), Reason.ORDER_EMPTY);
        rejected(ORDERS.given(PLACED, BOOK, new OrderLineRemoved(ID, "l-1")).when(new ConfirmOrder(ID)),
                Reason.ORDER_EMPTY);
        rejected(ORDERS.given(PLACED, BOOK, CONFIRMED).when(new ConfirmOrder(ID)), Reason.ORDER_NOT_OPEN);
    }

    @Test
    void shipsOnlyAConfirmedOrderAndOnlyOnce() {
        ORDERS.given(PLACED, BOOK, CONFIRMED).when(new ShipOrder(ID)).then(new OrderShipped(ID));
        rejected(ORDERS.given(PLACED, BOOK).when(new ShipOrder(ID)), Reason.ORDER_NOT_CONFIRMED);
        rejected(ORDERS.given(PLACED, BOOK, CONFIRMED, new OrderCancelled(ID, "no")).when(new ShipOrder(ID)),
                Reason.ORDER_NOT_CONFIRMED);
        rejected(ORDERS.given(PLACED, BOOK, CONFIRMED, new OrderShipped(ID)).when(new ShipOrder(ID)),
                Reason.ORDER_ALREADY_SHIPPED);
    }

    @Test
    void cancelsUntilShipped() {
        ORDERS.given(PLACED).when(new CancelOrder(ID, " out of stock ")).then(new OrderCancelled(ID, "out of stock"))
                .thenState(s -> assertThat(s.cancelReason()).contains("out of stock"));
        ORDERS.given(PLACED, BOOK, CONFIRMED).when(new CancelOrder(ID, "late")).then(new OrderCancelled(ID, "late"));
        rejected(ORDERS.given(PLACED, BOOK, CONFIRMED, new OrderShipped(ID)).when(new CancelOrder(ID, "late")),
                Reason.ORDER_ALREADY_SHIPPED);
        rejected(ORDERS.given(PLACED, new OrderCancelled(ID, "no")).when(new CancelOrder(ID, "again")),
                Reason.ORDER_ALREADY_CANCELLED);
        rejected(ORDERS.given(PLACED).when(new CancelOrder(ID, "")), Reason.INVALID_REASON);
    }

    private static void rejected(DeciderFixture<OrderCommand, OrderEvent, OrderState>.Outcome outcome, Reason reason) {
        OrderRejectedException e = outcome.thenThrows(OrderRejectedException.class);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.getMessage()).isNotBlank();
    }
}
