package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relato.examples.orders.OrdersClient.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Orders service driven over HTTP, started in-process on a free port. Each store's test class
 * supplies the settings and cleans up its data. Tests use their own customers, so they share one service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OrdersHttpContract {
    private OrdersApp app;
    private OrdersClient client;

    /** Settings of the service under test, port 0. */
    abstract OrdersApp.Settings settings() throws Exception;

    /** Removes what the service stored; called after it is closed. */
    abstract void dropData() throws Exception;

    @BeforeAll
    void startService() throws Exception {
        app = OrdersApp.start(settings());
        client = new OrdersClient(app.url());
    }

    @AfterAll
    void stopService() throws Exception {
        if (app != null) {
            app.close();
        }
        dropData();
    }

    private static String customer() {
        return "customer-" + UUID.randomUUID();
    }

    @Test
    void placeFillConfirmShipAndReadBack() {
        String customer = customer();
        Reply placed = client.post("/orders", "{\"customer\":\"" + customer + "\"}");
        assertThat(placed.status()).isEqualTo(201);
        assertThat(placed.contentType()).startsWith("application/json");
        String id = placed.json().get("id").asText();
        assertThat(placed.json().get("version").asLong()).isEqualTo(1);

        Reply line = client.post("/orders/" + id + "/lines", "{\"sku\":\"BOOK-1\",\"quantity\":2,\"unitPrice\":12.50}");
        assertThat(line.status()).isEqualTo(201);
        String bookLine = line.json().get("lineId").asText();
        String penLine = client.addLine(id, "PEN-7", 3, "\"1.10\"");
        String mugLine = client.addLine(id, "MUG-2", 1, "8");

        Reply removed = client.delete("/orders/" + id + "/lines/" + mugLine);
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().get("lines")).hasSize(2);

        Reply confirmed = client.post("/orders/" + id + "/confirm");
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(confirmed.json().get("status").asText()).isEqualTo("confirmed");

        Reply listed = client.get("/orders?customer=" + customer);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json()).hasSize(1);
        JsonNode row = listed.json().get(0);
        assertThat(row.get("id").asText()).isEqualTo(id);
        assertThat(row.get("status").asText()).isEqualTo("confirmed");
        assertThat(row.get("lines").asInt()).isEqualTo(2);
        assertThat(row.get("total").decimalValue()).isEqualByComparingTo("28.30");

        assertThat(client.post("/orders/" + id + "/ship").json().get("status").asText()).isEqualTo("shipped");

        JsonNode order = client.get("/orders/" + id).json();
        assertThat(order.get("customer").asText()).isEqualTo(customer);
        assertThat(order.get("status").asText()).isEqualTo("shipped");
        assertThat(order.get("version").asLong()).isEqualTo(7);
        assertThat(order.get("total").decimalValue()).isEqualByComparingTo("28.30");
        List<String> lineIds = new ArrayList<>();
        order.get("lines").forEach(l -> lineIds.add(l.get("lineId").asText()));
        assertThat(lineIds).containsExactly(bookLine, penLine);

        JsonNode history = client.get("/orders/" + id + "/events").json();
        List<String> types = new ArrayList<>();
        long lastPosition = 0;
        for (int i = 0; i < history.size(); i++) {
            JsonNode event = history.get(i);
            types.add(event.get("type").asText());
            assertThat(event.get("version").asLong()).isEqualTo(i + 1);
            assertThat(event.get("position").asLong()).isGreaterThan(lastPosition);
            assertThat(event.get("recordedAt").asText()).isNotBlank();
            assertThat(event.get("payload").get("orderId").asText()).isEqualTo(id);
            lastPosition = event.get("position").asLong();
        }
        assertThat(types).containsExactly("OrderPlaced", "OrderLineAdded", "OrderLineAdded", "OrderLineAdded",
                "OrderLineRemoved", "OrderConfirmed", "OrderShipped");
        assertThat(history.get(1).get("payload").get("unitPrice").asText()).isEqualTo("12.50");
        assertThat(history.get(1).get("metadata").get("$correlationId").asText()).isEqualTo(line.requestId());

        JsonNode asOfFour = client.get("/orders/" + id + "?version=4").json();
        assertThat(asOfFour.get("version").asLong()).isEqualTo(4);
        assertThat(asOfFour.get("status").asText()).isEqualTo("open");
        assertThat(asOfFour.get("lines")).hasSize(3);
        assertThat(asOfFour.get("total").decimalValue()).isEqualByComparingTo("36.30");
        assertThat(client.get("/orders/" + id + "?version=1").json().get("lines")).isEmpty();

        String confirmedAt = history.get(5).get("recordedAt").asText();
        JsonNode atConfirmation = client.get("/orders/" + id + "?at=" + confirmedAt).json();
        assertThat(atConfirmation.get("status").asText()).isEqualTo("confirmed");
        assertThat(atConfirmation.get("version").asLong()).isEqualTo(6);
    }

    @Test
    void customerTotalsCountOrdersAndConfirmedValue() {
        String customer = customer();
        String first = client.place(customer);
        client.addLine(first, "A", 2, "10.25");
        client.post("/orders/" + first + "/confirm");
        client.post("/orders/" + first + "/ship");
        String second = client.place(customer);
        client.addLine(second, "B", 1, "5");
        client.post("/orders/" + second + "/confirm");
        client.post("/orders/" + second + "/cancel", "{\"reason\":\"duplicate\"}");
        client.place(customer);

        Reply totals = client.get("/customers/" + customer);
        assertThat(totals.status()).isEqualTo(200);
        assertThat(totals.json().get("orders").asLong()).isEqualTo(3);
        assertThat(totals.json().get("confirmed").asLong()).isEqualTo(2);
        assertThat(totals.json().get("shipped").asLong()).isEqualTo(1);
        assertThat(totals.json().get("cancelled").asLong()).isEqualTo(1);
        assertThat(totals.json().get("confirmedValue").asText()).isEqualTo("25.50");
        assertError(client.get("/customers/" + customer()), 404, "customer_not_found");
    }

    @Test
    void aPlusInAPathSegmentIsAPlusNotASpace() {
        String customer = "c+" + UUID.randomUUID();
        client.place(customer);

        Reply totals = client.get("/customers/" + customer);
        assertThat(totals.status()).isEqualTo(200);
        assertThat(totals.json().get("customer").asText()).isEqualTo(customer);
        assertThat(client.get("/customers/" + customer.replace("+", "%2B")).json().get("customer").asText())
                .isEqualTo(customer);
    }

    @Test
    void theClientsRequestIdIsEchoedAndStoredAsCorrelationId() {
        Reply placed = client.post("/orders", "{\"customer\":\"" + customer() + "\"}", "checkout-42");
        assertThat(placed.requestId()).isEqualTo("checkout-42");
        JsonNode event = client.get("/orders/" + placed.json().get("id").asText() + "/events").json().get(0);
        assertThat(event.get("metadata").get("$correlationId").asText()).isEqualTo("checkout-42");
        assertThat(client.post("/orders", "{}", "bad id with spaces").requestId()).isNotEqualTo("bad id with spaces")
                .isNotBlank();
    }

    @Test
    void cancellationIsListedWithItsReason() {
        String customer = customer();
        String id = client.place(customer);
        Reply cancelled = client.post("/orders/" + id + "/cancel", "{\"reason\":\"changed my mind\"}");
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("cancelReason").asText()).isEqualTo("changed my mind");
        assertThat(client.get("/orders?customer=" + customer + "&status=cancelled").json()).hasSize(1);
    }

    @Test
    void brokenRulesAreConflictsOrInvalidValues() {
        String id = client.place(customer());
        assertError(client.post("/orders/" + id + "/confirm"), 409, "order_empty");
        assertError(client.post("/orders/" + id + "/ship"), 409, "order_not_confirmed");
        assertError(client.post("/orders/" + id + "/lines", "{\"sku\":\"A\",\"quantity\":0,\"unitPrice\":1}"), 422,
                "invalid_quantity");
        assertError(client.post("/orders/" + id + "/lines", "{\"sku\":\"A\",\"quantity\":-3,\"unitPrice\":1}"), 422,
                "invalid_quantity");
        assertError(client.post("/orders/" + id + "/lines", "{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":-1}"), 422,
                "invalid_price");
        assertError(client.post("/orders/" + id + "/lines", "{\"sku\":\" \",\"quantity\":1,\"unitPrice\":1}"), 422,
                "invalid_sku");
        assertError(client.delete("/orders/" + id + "/lines/no-such-line"), 409, "unknown_line");
        assertError(client.post("/orders", "{\"customer\":\"  \"}"), 422, "invalid_customer");

        client.addLine(id, "A", 1, "1");
        assertThat(client.post("/orders/" + id + "/confirm").status()).isEqualTo(200);
        assertError(client.post("/orders/" + id + "/lines", "{\"sku\":\"B\",\"quantity\":1,\"unitPrice\":1}"), 409,
                "order_not_open");
        assertError(client.post("/orders/" + id + "/confirm"), 409, "order_not_open");
        assertThat(client.post("/orders/" + id + "/ship").status()).isEqualTo(200);
        assertError(client.post("/orders/" + id + "/cancel", "{\"reason\":\"too late\"}"), 409, "order_already_shipped");

        String other = client.place(customer());
        assertError(client.post("/orders/" + other + "/cancel", "{\"reason\":\"\"}"), 422, "invalid_reason");
        assertThat(client.post("/orders/" + other + "/cancel", "{\"reason\":\"no\"}").status()).isEqualTo(200);
        assertError(client.post("/orders/" + other + "/cancel", "{\"reason\":\"again\"}"), 409, "order_already_cancelled");
        assertError(client.post("/orders/" + other + "/ship"), 409, "order_not_confirmed");
        assertError(client.post("/orders/" + other + "/confirm"), 409, "order_not_open");

        assertThat(client.get("/orders/" + id + "/events").json()).hasSize(4);
        assertThat(client.get("/orders/" + other + "/events").json()).hasSize(2);
    }

    @Test
    void malformedRequestsAreBadRequests() {
        String id = client.place(customer());
        assertError(client.post("/orders", "{\"customer\":"), 400, "bad_request");
        assertError(client.post("/orders", "not json"), 400, "bad_request");
        assertError(client.post("/orders", "[]"), 400, "bad_request");
        assertError(client.post("/orders", "{}"), 400, "bad_request");
        assertError(client.post("/orders", "{\"customer\":42}"), 400, "bad_request");
        assertError(client.post("/orders"), 400, "bad_request");
        assertError(client.post("/orders/" + id + "/lines", "{\"sku\":\"A\",\"quantity\":1.5,\"unitPrice\":1}"), 400,
                "bad_request");
        assertError(client.post("/orders/" + id + "/lines", "{\"sku\":\"A\",\"quantity\":\"2\",\"unitPrice\":1}"), 400,
                "bad_request");
        assertError(client.post("/orders/" + id + "/lines", "{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":\"cheap\"}"),
                400, "bad_request");
        assertError(client.post("/orders/" + id + "/lines", "{\"sku\":\"A\",\"quantity\":1}"), 400, "bad_request");
        assertError(client.post("/orders/" + id + "/cancel", "{}"), 400, "bad_request");
        assertError(client.get("/orders/" + id + "?version=0"), 400, "bad_request");
        assertError(client.get("/orders/" + id + "?version=two"), 400, "bad_request");
        assertError(client.get("/orders/" + id + "?at=yesterday"), 400, "bad_request");
        assertError(client.get("/orders/" + id + "?version=1&at=2024-01-01T00:00:00Z"), 400, "bad_request");
        assertError(client.get("/orders?status=lost"), 400, "bad_request");
        assertError(client.post("/orders", "{\"customer\":\"" + "x".repeat(OrdersHttpApi.MAX_BODY_BYTES) + "\"}"), 413,
                "body_too_large");
        assertThat(client.get("/orders/" + id + "/events").json()).hasSize(1);
    }

    @Test
    void unknownOrdersAndPathsAreNotFound() {
        String missing = UUID.randomUUID().toString();
        assertError(client.get("/orders/" + missing), 404, "order_not_found");
        assertError(client.get("/orders/" + missing + "?version=1"), 404, "order_not_found");
        assertError(client.get("/orders/" + missing + "?at=2024-01-01T00:00:00Z"), 404, "order_not_found");
        assertError(client.get("/orders/" + missing + "/events"), 404, "order_not_found");
        assertError(client.post("/orders/" + missing + "/confirm"), 404, "order_not_found");
        assertError(client.post("/orders/" + missing + "/lines", "{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":1}"), 404,
                "order_not_found");
        assertError(client.delete("/orders/" + missing + "/lines/x"), 404, "order_not_found");
        assertError(client.get("/nothing-here"), 404, "not_found");
        assertError(client.get("/orders/" + missing + "/refund"), 404, "not_found");
        Reply wrongMethod = client.send("PUT", "/orders", "{}");
        assertError(wrongMethod, 405, "method_not_allowed");
        assertThat(client.get("/orders/" + missing + "/events").status()).isEqualTo(404);
    }

    @Test
    void listFiltersByCustomerAndStatus() {
        String alice = customer();
        String bob = customer();
        String aliceOpen = client.place(alice);
        String aliceConfirmed = client.place(alice);
        client.addLine(aliceConfirmed, "A", 1, "2.5");
        client.post("/orders/" + aliceConfirmed + "/confirm");
        String bobOpen = client.place(bob);

        assertThat(ids(client.get("/orders?customer=" + alice))).containsExactlyInAnyOrder(aliceOpen, aliceConfirmed);
        assertThat(ids(client.get("/orders?customer=" + alice + "&status=open"))).containsExactly(aliceOpen);
        assertThat(ids(client.get("/orders?customer=" + alice + "&status=CONFIRMED"))).containsExactly(aliceConfirmed);
        assertThat(ids(client.get("/orders?customer=" + bob))).containsExactly(bobOpen);
        assertThat(ids(client.get("/orders?customer=" + bob + "&status=shipped"))).isEmpty();
        assertThat(ids(client.get("/orders?status=open"))).contains(aliceOpen, bobOpen).doesNotContain(aliceConfirmed);
        assertThat(ids(client.get("/orders"))).contains(aliceOpen, aliceConfirmed, bobOpen);
        assertThat(ids(client.get("/orders?customer=" + alice + "&limit=1"))).hasSize(1);
        assertError(client.get("/orders?limit=0"), 400, "bad_request");
    }

    @Test
    void concurrentLinesAreAllKeptOrCleanlyRejected() throws Exception {
        String customer = customer();
        String id = client.place(customer);
        int clients = 16;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Reply>> replies = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                String sku = "SKU-" + i;
                replies.add(pool.submit(() -> {
                    start.await();
                    return client.post("/orders/" + id + "/lines",
                            "{\"sku\":\"" + sku + "\",\"quantity\":1,\"unitPrice\":1}");
                }));
            }
            start.countDown();
            Set<String> accepted = new HashSet<>();
            for (Future<Reply> future : replies) {
                Reply reply = future.get();
                if (reply.status() == 201) {
                    accepted.add(reply.json().get("lineId").asText());
                } else {
                    assertError(reply, 409, "concurrent_update");
                }
            }
            assertThat(accepted).isNotEmpty();

            Set<String> inHistory = new HashSet<>();
            client.get("/orders/" + id + "/events").json().forEach(e -> {
                if (e.get("type").asText().equals("OrderLineAdded")) {
                    inHistory.add(e.get("payload").get("lineId").asText());
                }
            });
            assertThat(inHistory).isEqualTo(accepted);

            Set<String> inState = new HashSet<>();
            client.get("/orders/" + id).json().get("lines").forEach(l -> inState.add(l.get("lineId").asText()));
            assertThat(inState).isEqualTo(accepted);

            JsonNode row = client.get("/orders?customer=" + customer).json().get(0);
            assertThat(row.get("lines").asInt()).isEqualTo(accepted.size());
            assertThat(row.get("total").decimalValue()).isEqualByComparingTo(String.valueOf(accepted.size()));
            assertThat(row.get("version").asLong()).isEqualTo(1 + accepted.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void projectionsReportTheirPosition() {
        client.place(customer());
        JsonNode projections = client.get("/projections").json();
        assertThat(projections).isNotEmpty();
        for (JsonNode projection : projections) {
            assertThat(projection.get("name").asText()).isNotBlank();
            assertThat(projection.get("position").asLong()).isPositive();
            assertThat(projection.get("lag").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(projection.has("lagMillis")).isTrue();
            assertThat(projection.get("state").asText()).isIn("caught_up", "catching_up");
        }
    }

    private static List<String> ids(Reply reply) {
        assertThat(reply.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        reply.json().forEach(row -> ids.add(row.get("id").asText()));
        return ids;
    }

    private static void assertError(Reply reply, int status, String error) {
        assertThat(reply.status()).as("status of %s", reply).isEqualTo(status);
        assertThat(reply.error()).as("error of %s", reply).isEqualTo(error);
        assertThat(reply.json().get("message").asText()).isNotBlank();
    }
}
