package dev.relato.examples.orders;

import static dev.relato.examples.orders.OrdersHttpContract.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relato.examples.orders.OrdersClient.Reply;
import dev.relato.test.fixture.TestClock;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fulfilment of orders over HTTP: stock, confirmation, payment and the payment deadline, on a service whose
 * clock the tests move. Each store's test class supplies the settings and cleans up its data; tests use their own
 * SKUs, so they share one service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FulfilmentHttpContract {
    private static final Duration PAYMENT_TIMEOUT = Duration.ofMinutes(30);
    private final TestClock clock = TestClock.at(Instant.now());
    private OrdersApp app;
    private OrdersClient client;

    /** Settings of the service under test, port 0. */
    abstract OrdersApp.Settings settings() throws Exception;

    /** Removes what the service stored; called after it is closed. */
    abstract void dropData() throws Exception;

    @BeforeAll
    void startService() throws Exception {
        app = OrdersApp.start(settings().withPaymentTimeout(PAYMENT_TIMEOUT), UnaryOperator.identity(),
                OpenTelemetry.noop(), clock);
        client = new OrdersClient(app.url());
    }

    @AfterAll
    void stopService() throws Exception {
        if (app != null) {
            app.close();
        }
        dropData();
    }

    private static String sku() {
        return "SKU-" + UUID.randomUUID();
    }

    private void stock(String sku, int quantity) {
        Reply stocked = client.post("/inventory/" + sku, "{\"quantity\":" + quantity + "}");
        assertThat(stocked.status()).as("%s", stocked).isEqualTo(200);
    }

    private int available(String sku) {
        return client.get("/inventory/" + sku).json().get("available").asInt();
    }

    /** Waits (a bound, not a timing) until {@code sku} has {@code quantity} available: releases follow the state. */
    private void awaitAvailable(String sku, int quantity) throws InterruptedException {
        long deadline = System.nanoTime() + OrdersHttpContract.ANSWER_TIMEOUT.toNanos();
        while (available(sku) != quantity) {
            assertThat(System.nanoTime() < deadline).as("%s has %s available; now %s", sku, quantity, available(sku))
                    .isTrue();
            Thread.sleep(20);
        }
    }

    /** Places an order with one line of {@code quantity} per SKU, at 10 each, and confirms it. */
    private String confirmedOrder(int quantity, String... skus) {
        String id = client.place("customer-" + UUID.randomUUID());
        for (String sku : skus) {
            client.addLine(id, sku, quantity, "10");
        }
        Reply confirmed = client.post("/orders/" + id + "/confirm");
        assertThat(confirmed.status()).as("%s", confirmed).isEqualTo(200);
        return id;
    }

    /** Waits (a bound, not a timing) until the order's fulfilment is in {@code state}, and returns the order. */
    private JsonNode awaitFulfilment(String id, String state) throws InterruptedException {
        long deadline = System.nanoTime() + OrdersHttpContract.ANSWER_TIMEOUT.toNanos();
        while (true) {
            JsonNode order = client.get("/orders/" + id).json();
            JsonNode fulfilment = order.get("fulfilment");
            if (fulfilment != null && fulfilment.get("state").asText().equals(state)) {
                return order;
            }
            assertThat(System.nanoTime() < deadline).as("fulfilment of %s reaches %s; now %s", id, state, order)
                    .isTrue();
            Thread.sleep(20);
        }
    }

    private JsonNode awaitStatus(String id, String status) throws InterruptedException {
        long deadline = System.nanoTime() + OrdersHttpContract.ANSWER_TIMEOUT.toNanos();
        while (true) {
            JsonNode order = client.get("/orders/" + id).json();
            if (order.get("status").asText().equals(status)) {
                return order;
            }
            assertThat(System.nanoTime() < deadline).as("order %s reaches %s; now %s", id, status, order).isTrue();
            Thread.sleep(20);
        }
    }

    @Test
    void confirmReservesStockAndPaymentShips() throws Exception {
        String sku = sku();
        stock(sku, 5);
        String id = confirmedOrder(2, sku);
        JsonNode awaiting = awaitFulfilment(id, "awaiting-payment");
        assertThat(awaiting.get("status").asText()).isEqualTo("confirmed");
        assertThat(awaiting.get("total").asText()).isEqualTo("20.00");
        awaitAvailable(sku, 3);

        Reply paid = client.post("/orders/" + id + "/payment", "{\"amount\":20}");
        assertThat(paid.status()).as("%s", paid).isEqualTo(202);
        assertThat(paid.json().get("orderId").asText()).isEqualTo(id);
        awaitFulfilment(id, "paid");
        awaitStatus(id, "shipped");

        clock.advance(PAYMENT_TIMEOUT.multipliedBy(2));
        app.fulfilment().fireDueDeadlines();
        assertThat(client.get("/orders/" + id).json().get("fulfilment").get("state").asText()).isEqualTo("paid");
        assertThat(available(sku)).isEqualTo(3);
    }

    @Test
    void anOrderUnpaidPastTheTimeoutIsCancelledAndItsStockReleased() throws Exception {
        String sku = sku();
        stock(sku, 5);
        String id = confirmedOrder(2, sku);
        awaitFulfilment(id, "awaiting-payment");
        awaitAvailable(sku, 3);

        clock.advance(PAYMENT_TIMEOUT.plusMinutes(1));
        app.fulfilment().fireDueDeadlines();
        JsonNode cancelled = awaitFulfilment(id, "cancelled");
        assertThat(cancelled.get("fulfilment").get("state").asText()).isEqualTo("cancelled");
        assertThat(awaitStatus(id, "cancelled").get("cancelReason").asText()).isEqualTo("unpaid");
        awaitAvailable(sku, 5);
        assertError(client.post("/orders/" + id + "/payment", "{\"amount\":20}"), 409, "order_not_confirmed");
    }

    @Test
    void aReservationRefusedCancelsTheOrderAndReleasesWhatWasReserved() throws Exception {
        String plenty = sku();
        String scarce = sku();
        stock(plenty, 5);
        stock(scarce, 1);
        String id = confirmedOrder(2, plenty, scarce);

        JsonNode refused = awaitFulfilment(id, "refused");
        assertThat(awaitStatus(id, "cancelled").get("cancelReason").asText()).isEqualTo("out of stock: " + scarce);
        assertThat(refused.has("fulfilment")).isTrue();
        awaitAvailable(plenty, 5);
        assertThat(available(scarce)).isEqualTo(1);
    }

    @Test
    void paymentForAnUnknownOrderIsNotFoundAndABadBodyIsABadRequest() {
        assertError(client.post("/orders/" + UUID.randomUUID() + "/payment", "{\"amount\":20}"), 404,
                "order_not_found");
        String id = client.place("customer-" + UUID.randomUUID());
        assertError(client.post("/orders/" + id + "/payment", "{\"amount\":\"lots\"}"), 400, "bad_request");
        assertError(client.post("/orders/" + id + "/payment", "{\"amount\":"), 400, "bad_request");
        assertError(client.post("/orders/" + id + "/payment", "{}"), 400, "bad_request");
        assertError(client.post("/orders/" + id + "/payment", "{\"amount\":0}"), 422, "invalid_amount");
        assertError(client.post("/orders/" + id + "/payment", "{\"amount\":20}"), 409, "order_not_confirmed");
        assertThat(client.get("/orders/" + id).json().has("fulfilment")).isFalse();
        assertError(client.post("/inventory/" + sku(), "{\"quantity\":0}"), 422, "invalid_quantity");
        assertError(client.post("/inventory/" + sku(), "{\"quantity\":\"many\"}"), 400, "bad_request");
    }
}
