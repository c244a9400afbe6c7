package dev.relato.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.examples.orders.OrdersClient.Reply;
import dev.relato.projection.ProjectionState;
import dev.relato.serialization.EventSerializer;
import java.math.BigDecimal;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
    /** Generous bound on one answer: a bound, not a benchmark. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
    private final FaultyStoreView faults = new FaultyStoreView();
    private OrdersApp app;
    private OrdersClient client;
    private RawHttp raw;

    /** Settings of the service under test, port 0. */
    abstract OrdersApp.Settings settings() throws Exception;

    /** Removes what the service stored; called after it is closed. */
    abstract void dropData() throws Exception;

    @BeforeAll
    void startService() throws Exception {
        app = OrdersApp.start(settings(), faults::wrap);
        client = new OrdersClient(app.url());
        raw = new RawHttp(app.port());
        for (String sku : List.of("BOOK-1", "PEN-7", "MUG-2", "A", "B", "X", "DOC")) {
            // confirming reserves stock: enough that no order here is refused (fulfilment has tests of its own)
            assertThat(client.post("/inventory/" + sku, "{\"quantity\":1000000}").status()).isEqualTo(200);
        }
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
    void theConsoleUnderSlashConsoleShowsTheStoreReadOnly() {
        String customer = customer();
        String id = client.place(customer);

        Reply overview = client.get("/console/");
        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.contentType()).startsWith("text/html");
        assertThat(overview.body()).contains("href=\"/console/streams");

        Reply stream = client.get("/console/stream?id=Order-" + id);
        assertThat(stream.status()).as(stream.body()).isEqualTo(200);
        assertThat(stream.body()).contains("OrderPlaced", customer).doesNotContain("method=\"post\"");

        Reply projections = client.get("/console/projections");
        assertThat(projections.status()).isEqualTo(200);
        assertThat(projections.body()).contains("order-list");

        Reply write = client.post("/console/projections/pause", "name=order-list");
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.body()).contains("read-only");
        assertThat(client.get("/orders/" + id).status()).isEqualTo(200);
    }

    @Test
    void forgettingACustomerErasesTheNameInEveryOrderAndKeepsTheOthers() {
        String ann = customer();
        String bob = customer();
        String first = placeNamed(ann, "Ann Example");
        String second = placeNamed(ann, "Ann Example");
        String other = placeNamed(bob, "Bob Example");
        String unnamed = client.place(ann);
        assertThat(client.get("/orders/" + first).json().get("customerName").asText()).isEqualTo("Ann Example");
        assertThat(client.get("/orders/" + unnamed).json().has("customerName")).isFalse();
        assertThat(client.get("/orders/" + first + "/events").body()).contains("Ann Example");

        Reply forgotten = client.delete("/customers/" + ann + "/personal-data");
        assertThat(forgotten.status()).isEqualTo(204);
        assertThat(forgotten.body()).isEmpty();
        assertThat(client.delete("/customers/" + ann + "/personal-data").status()).isEqualTo(204);
        assertThat(client.delete("/customers/" + customer() + "/personal-data").status()).isEqualTo(204);

        for (String id : List.of(first, second)) {
            JsonNode order = client.get("/orders/" + id).json();
            assertThat(order.get("customerName").asText()).isEqualTo("[erased]");
            assertThat(order.get("customer").asText()).isEqualTo(ann);
            assertThat(client.get("/orders/" + id + "/events").body()).doesNotContain("Ann Example");
            assertThat(client.get("/orders/" + id + "?version=1").body()).doesNotContain("Ann Example");
        }
        assertThat(client.get("/orders/" + other).json().get("customerName").asText()).isEqualTo("Bob Example");
        Reply totals = client.get("/customers/" + ann);
        assertThat(totals.status()).isEqualTo(200);
        assertThat(totals.json().get("orders").asLong()).isEqualTo(3);
        assertThat(totals.body()).doesNotContain("Ann Example");
        assertThat(client.get("/orders?customer=" + ann).body()).doesNotContain("Ann Example").contains(first);

        String again = placeNamed(ann, "Ann Again");
        assertThat(client.get("/orders/" + again).json().get("customerName").asText()).isEqualTo("Ann Again");
        assertThat(client.get("/orders/" + first).json().get("customerName").asText()).isEqualTo("[erased]");
    }

    @Test
    void aCustomerNameMustBeText() {
        Reply refused = client.post("/orders", "{\"customer\":\"" + customer() + "\",\"customerName\":7}");
        assertThat(refused.status()).isEqualTo(400);
        Reply blank = client.post("/orders", "{\"customer\":\"" + customer() + "\",\"customerName\":\" \"}");
        assertThat(blank.status()).isEqualTo(422);
        assertThat(client.post("/orders", "{\"customer\":\"$" + customer() + "\"}").status()).isEqualTo(422);
    }

    private String placeNamed(String customer, String name) {
        Reply placed = client.post("/orders", "{\"customer\":\"" + customer + "\",\"customerName\":\"" + name
                + "\"}");
        assertThat(placed.status()).as(placed.body()).isEqualTo(201);
        return placed.json().get("id").asText();
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
        String penLine = client.addLine(id, "PEN-7", 3, "1.10");
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
        assertError(client.post("/orders/" + id + "/ship"), 409, "order_already_shipped");

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
        assertError(client.get("/orders/" + id + "?version=1&version=2"), 400, "bad_request");
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

    static void assertError(Reply reply, int status, String error) {
        assertThat(reply.status()).as("status of %s", reply).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.error()).as("error of %s", reply).isEqualTo(error);
        assertThat(reply.json().get("message").asText()).isNotBlank();
        assertThat(reply.json().get("requestId").asText()).isEqualTo(reply.requestId()).isNotBlank();
    }

    static void assertError(RawHttp.Answer answer, int status, String error) {
        assertThat(answer.status()).as("status of %s", answer).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as("type of %s", answer).startsWith("application/json");
        assertThat(answer.json().get("error").asText()).as("error of %s", answer).isEqualTo(error);
        assertThat(answer.json().get("requestId").asText()).isEqualTo(answer.header(OrdersHttpApi.REQUEST_ID))
                .isNotBlank();
    }

    /** Waits until every projection has handled everything stored, then checks it says so over HTTP. */
    private void awaitProjectionsCaughtUp() throws InterruptedException {
        awaitProjectionsCaughtUp(0);
    }

    /**
     * Waits until every projection has handled the events up to {@code position} (what appends made here
     * reported: on PostgreSQL the head readers see may still be below it) and everything stored, then checks that
     * it says so over HTTP.
     */
    private void awaitProjectionsCaughtUp(long position) throws InterruptedException {
        for (ManagedProjection<?> projection : app.projections()) {
            assertThat(projection.runner().awaitPosition(position, Duration.ofSeconds(30))).as(projection.name())
                    .isTrue();
            assertThat(projection.runner().awaitCaughtUp(Duration.ofSeconds(30))).as(projection.name()).isTrue();
        }
        for (JsonNode projection : client.get("/projections").json()) {
            assertThat(projection.get("state").asText()).as(projection.toString()).isEqualTo("caught_up");
            assertThat(projection.get("lag").asLong()).as(projection.toString()).isZero();
        }
    }

    /** Waits until the named projection has failed (a bounded wait on its runner). */
    private void awaitFailed(String name) throws InterruptedException {
        ManagedProjection<?> projection = app.projections().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (projection.runner().status().state() != ProjectionState.FAILED) {
            assertThat(System.nanoTime() < deadline).as("projection %s fails", name).isTrue();
            projection.runner().awaitPosition(Long.MAX_VALUE, Duration.ofMillis(50));
        }
    }

    private String addLineBody(String sku, String price) {
        return "{\"sku\":\"" + sku + "\",\"quantity\":1,\"unitPrice\":" + price + "}";
    }

    // ---- prices, hostile input and the answers to them

    @Test
    void extremePricesGetAFastSmall422AndPoisonNothing() throws Exception {
        String customer = customer();
        String id = client.place(customer);
        for (String price : List.of("1e999999999", "0E-10000", "12.5" + "0".repeat(63), "-0.01", "0.00001",
                "1000000000000")) {
            Reply reply = client.post("/orders/" + id + "/lines", addLineBody("X", price));
            assertError(reply, 422, "invalid_price");
            assertThat(reply.body().length()).as(price).isLessThan(1000);
        }
        assertError(client.post("/orders/" + id + "/lines", addLineBody("X", "\"0e-999999999\"")), 400, "bad_request");
        assertError(client.post("/orders/" + id + "/lines", addLineBody("X", "\"1.10\"")), 400, "bad_request");
        assertError(client.post("/orders/" + id + "/lines", addLineBody("X", "1" + "0".repeat(200))), 400,
                "bad_request");

        assertThat(client.get("/orders/" + id).status()).isEqualTo(200);
        assertThat(client.get("/orders/" + id + "/events").json()).hasSize(1);
        assertThat(client.get("/orders").status()).isEqualTo(200);
        assertThat(client.get("/orders?customer=" + customer).json()).hasSize(1);
        assertThat(client.post("/orders/" + id + "/cancel", "{\"reason\":\"testing\"}").status()).isEqualTo(200);
        awaitProjectionsCaughtUp();
    }

    @Test
    void pricesAreStoredAndEchoedInCanonicalForm() {
        String id = client.place(customer());
        Reply added = client.post("/orders/" + id + "/lines", addLineBody("A", "12.500000"));
        assertThat(added.status()).isEqualTo(201);
        client.addLine(id, "B", 1, "8");
        JsonNode order = client.get("/orders/" + id).json();
        assertThat(order.get("lines").get(0).get("unitPrice").asText()).isEqualTo("12.50");
        assertThat(order.get("lines").get(1).get("unitPrice").asText()).isEqualTo("8.00");
        assertThat(order.get("total").asText()).isEqualTo("20.50");
        JsonNode history = client.get("/orders/" + id + "/events").json();
        assertThat(history.get(1).get("payload").get("unitPrice").asText()).isEqualTo("12.50");
        assertThat(client.post("/orders/" + id + "/confirm").json().get("total").asText()).isEqualTo("20.50");
    }

    @Test
    void eventsAnOlderVersionStoredWithUnboundedPricesStillReadAndProject() throws Exception {
        String customer = customer();
        String id = client.place(customer);
        StreamId stream = new StreamId(OrdersService.CATEGORY, id);
        EventSerializer serializer = OrdersService.serializer();
        AppendResult legacy = app.store().append(stream, ExpectedVersion.exactly(1), List.of(
                serializer.serialize(new OrderEvent.OrderLineAdded(id, "l-zero", "A", 3, new BigDecimal("0E-50"))),
                serializer.serialize(new OrderEvent.OrderLineAdded(id, "l-long", "B", 2,
                        new BigDecimal("12.5" + "0".repeat(63))))));

        JsonNode order = client.get("/orders/" + id).json();
        assertThat(order.get("total").asText()).isEqualTo("25.00");
        assertThat(order.get("lines").get(0).get("unitPrice").asText()).isEqualTo("0.00");
        assertThat(order.get("lines").get(1).get("unitPrice").asText()).isEqualTo("12.50");
        assertThat(client.get("/orders/" + id + "/events").json()).hasSize(3);
        awaitProjectionsCaughtUp(legacy.lastPosition());
        JsonNode row = client.get("/orders?customer=" + customer).json().get(0);
        assertThat(row.get("total").asText()).isEqualTo("25.00");
        assertThat(row.get("lines").asInt()).isEqualTo(2);
        Reply cancelled = client.post("/orders/" + id + "/cancel", "{\"reason\":\"legacy\"}");
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("total").asText()).isEqualTo("25.00");
    }

    @Test
    void textWithLoneSurrogatesNulControlsOrTooLongIsRefused() {
        String id = client.place(customer());
        for (String bad : List.of("a\\ud800b", "\\udc00", "nul\\u0000", "bell\\u0007", "x".repeat(10_000))) {
            assertError(client.post("/orders", "{\"customer\":\"" + bad + "\"}"), 422, "invalid_customer");
            assertError(client.post("/orders/" + id + "/lines", "{\"sku\":\"" + bad + "\",\"quantity\":1,"
                    + "\"unitPrice\":1}"), 422, "invalid_sku");
            assertError(client.post("/orders/" + id + "/cancel", "{\"reason\":\"" + bad + "\"}"), 422,
                    "invalid_reason");
        }
        assertError(client.get("/customers/" + "c".repeat(300)), 400, "bad_request");
        assertError(client.get("/orders/" + "o".repeat(300)), 400, "bad_request");
        assertError(client.get("/orders?customer=a%01b"), 400, "bad_request");
        assertError(raw.send("GET /customers/a%00b HTTP/1.1", new byte[0], ANSWER_TIMEOUT), 400, "bad_request");
        assertError(raw.send("GET /orders/%ED%A0%80 HTTP/1.1", new byte[0], ANSWER_TIMEOUT), 400, "bad_request");
        assertThat(client.get("/orders/" + id + "/events").json()).hasSize(1);
    }

    @Test
    void everyErrorIsJsonWithTheRequestId() {
        assertError(raw.send("GET /orders/%zz HTTP/1.1", new byte[0], ANSWER_TIMEOUT), 400, "bad_request");
        assertError(raw.send("GET //orders HTTP/1.1", new byte[0], ANSWER_TIMEOUT), 400, "bad_request");
        assertError(raw.send("GET /orders/a%2Fb HTTP/1.1", new byte[0], ANSWER_TIMEOUT), 400, "bad_request");
        assertError(raw.send("GET /orders?status=%zz HTTP/1.1", new byte[0], ANSWER_TIMEOUT), 400, "bad_request");
        assertError(raw.sendBytes("NOT A REQUEST\r\n\r\n".getBytes(StandardCharsets.US_ASCII), ANSWER_TIMEOUT), 400,
                "bad_request");
        assertError(raw.send("GET /nothing-here HTTP/1.1", new byte[0], ANSWER_TIMEOUT), 404, "not_found");
        assertError(raw.send("PATCH /orders HTTP/1.1", new byte[0], ANSWER_TIMEOUT), 405, "method_not_allowed");

        RawHttp.Answer head = raw.send("HEAD /orders HTTP/1.1", new byte[0], ANSWER_TIMEOUT);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Type")).startsWith("application/json");
        assertThat(head.body()).isEmpty();
        RawHttp.Answer missing = raw.send("HEAD /nothing-here HTTP/1.1", new byte[0], ANSWER_TIMEOUT);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Content-Type")).startsWith("application/json");
        assertThat(missing.header(OrdersHttpApi.REQUEST_ID)).isNotBlank();
    }

    @Test
    void aTooLargeBodyGetsIts413BeforeTheConnectionCloses() {
        for (int size : List.of(OrdersHttpApi.MAX_BODY_BYTES + 1, 200 * 1024)) {
            byte[] body = ("{\"customer\":\"" + "x".repeat(size) + "\"}").getBytes(StandardCharsets.UTF_8);
            RawHttp.Answer answer = raw.send("POST /orders HTTP/1.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length, body, ANSWER_TIMEOUT);
            assertError(answer, 413, "body_too_large");
        }
    }

    @Test
    void stalledClientsDoNotStopTheServiceAnsweringOthers() throws Exception {
        List<Socket> stalled = raw.stall(32, "/orders", ANSWER_TIMEOUT);
        try {
            String customer = customer();
            for (int i = 0; i < 5; i++) {
                String id = client.place(customer);
                assertThat(client.get("/orders/" + id).status()).isEqualTo(200);
            }
            assertThat(client.get("/orders?customer=" + customer).json()).hasSize(5);
            assertThat(client.get("/health").status()).isEqualTo(200);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void aCommandStoredButNotYetAnsweredStillAnswersSuccess() {
        String id = client.place(customer());
        faults.failReadAfterNextAppend();
        Reply added = client.post("/orders/" + id + "/lines", addLineBody("A", "2"));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        assertThat(added.json().get("version").asLong()).isEqualTo(2);
        assertThat(client.get("/orders/" + id + "/events").json()).hasSize(2);
    }

    // ---- idempotency

    @Test
    void anIdempotencyKeyReplaysTheFirstOutcome() {
        String customer = customer();
        String placeKey = UUID.randomUUID().toString();
        Reply placed = client.postOnce("/orders", "{\"customer\":\"" + customer + "\"}", placeKey);
        assertThat(placed.status()).isEqualTo(201);
        assertThat(placed.header(OrdersHttpApi.REPLAYED)).isEmpty();
        Reply again = client.postOnce("/orders", "{\"customer\":\"" + customer + "\"}", placeKey);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(placed.body());
        assertThat(again.header("Location")).isEqualTo(placed.header("Location"));
        assertThat(again.header(OrdersHttpApi.REPLAYED)).isEqualTo("true");
        String id = placed.json().get("id").asText();

        String lineKey = UUID.randomUUID().toString();
        Reply line = client.postOnce("/orders/" + id + "/lines", addLineBody("A", "3.5"), lineKey);
        assertThat(line.status()).isEqualTo(201);
        assertThat(client.postOnce("/orders/" + id + "/lines", addLineBody("A", "3.50"), lineKey).body())
                .isEqualTo(line.body());

        String confirmKey = UUID.randomUUID().toString();
        Reply confirmed = client.postOnce("/orders/" + id + "/confirm", "", confirmKey);
        assertThat(confirmed.status()).isEqualTo(200);
        Reply confirmedAgain = client.postOnce("/orders/" + id + "/confirm", "", confirmKey);
        assertThat(confirmedAgain.status()).isEqualTo(200);
        assertThat(confirmedAgain.body()).isEqualTo(confirmed.body());

        assertThat(client.get("/orders/" + id + "/events").json()).hasSize(3);
        assertThat(client.get("/orders?customer=" + customer).json()).hasSize(1);
        assertThat(client.get("/customers/" + customer).json().get("orders").asLong()).isEqualTo(1);
    }

    @Test
    void aRetryAfterALostReplyWritesNothingTwice() throws Exception {
        String id = client.place(customer());
        String key = UUID.randomUUID().toString();
        byte[] body = addLineBody("LOST", "1").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = raw.open(ANSWER_TIMEOUT)) {
            socket.getOutputStream().write(("POST /orders/" + id + "/lines HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + OrdersHttpApi.IDEMPOTENCY_KEY + ": " + key + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
        }
        Reply retried = client.postOnce("/orders/" + id + "/lines", addLineBody("LOST", "1"), key);
        assertThat(retried.status()).as(retried.toString()).isEqualTo(201);
        Reply third = client.postOnce("/orders/" + id + "/lines", addLineBody("LOST", "1"), key);
        assertThat(third.body()).isEqualTo(retried.body());
        assertThat(third.header(OrdersHttpApi.REPLAYED)).isEqualTo("true");
        assertThat(client.get("/orders/" + id + "/events").json()).hasSize(2);
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefused() {
        String key = UUID.randomUUID().toString();
        assertThat(client.postOnce("/orders", "{\"customer\":\"" + customer() + "\"}", key).status()).isEqualTo(201);
        assertError(client.postOnce("/orders", "{\"customer\":\"" + customer() + "\"}", key), 422,
                "idempotency_key_reused");

        String id = client.place(customer());
        String lineKey = UUID.randomUUID().toString();
        assertThat(client.postOnce("/orders/" + id + "/lines", addLineBody("A", "1"), lineKey).status()).isEqualTo(201);
        assertError(client.postOnce("/orders/" + id + "/lines", addLineBody("A", "2"), lineKey), 422,
                "idempotency_key_reused");
        assertError(client.postOnce("/orders/" + id + "/confirm", "", lineKey), 422, "idempotency_key_reused");
        String other = client.place(customer());
        assertError(client.postOnce("/orders/" + other + "/lines", addLineBody("A", "1"), lineKey), 422,
                "idempotency_key_reused");
        assertError(client.postOnce("/orders", "{\"customer\":\"x\"}", "has space"), 400, "invalid_idempotency_key");
        assertThat(client.get("/orders/" + id + "/events").json()).hasSize(2);
        assertThat(client.get("/orders/" + other + "/events").json()).hasSize(1);
    }

    // ---- smaller points of the API

    @Test
    void aVersionBeyondTheLastEventIsNotFound() {
        String id = client.place(customer());
        assertThat(client.get("/orders/" + id + "?version=1").status()).isEqualTo(200);
        assertError(client.get("/orders/" + id + "?version=2"), 404, "version_not_found");
    }

    @Test
    void theLocationOfANewLineAnswers() {
        String id = client.place(customer());
        Reply added = client.post("/orders/" + id + "/lines", addLineBody("A", "4.25"));
        String location = added.header("Location");
        assertThat(location).isEqualTo("/orders/" + id + "/lines/" + added.json().get("lineId").asText());
        Reply line = client.get(location);
        assertThat(line.status()).isEqualTo(200);
        assertThat(line.json().get("sku").asText()).isEqualTo("A");
        assertThat(line.json().get("unitPrice").asText()).isEqualTo("4.25");
        assertThat(client.delete(location).status()).isEqualTo(200);
        assertError(client.get(location), 404, "line_not_found");
    }

    @Test
    void theListPagesBeyondAThousandRows() throws Exception {
        String customer = customer();
        EventSerializer serializer = OrdersService.serializer();
        Set<String> placed = new HashSet<>();
        long last = 0;
        for (int i = 0; i < OrderQuery.MAX_LIMIT + 1; i++) {
            String id = UUID.randomUUID().toString();
            last = app.store().append(new StreamId(OrdersService.CATEGORY, id), ExpectedVersion.noStream(),
                    List.of(serializer.serialize(new OrderEvent.OrderPlaced(id, customer)))).lastPosition();
            placed.add(id);
        }
        awaitProjectionsCaughtUp(last);
        Reply first = client.get("/orders?customer=" + customer + "&limit=1000");
        assertThat(first.json()).hasSize(1000);
        String link = first.header("Link");
        assertThat(link).startsWith("</orders?").endsWith(">; rel=\"next\"");
        Reply second = client.get(link.substring(1, link.indexOf('>')));
        assertThat(second.json()).hasSize(1);
        assertThat(second.header("Link")).isEmpty();
        Set<String> listed = new HashSet<>(ids(first));
        listed.addAll(ids(second));
        assertThat(listed).isEqualTo(placed);

        List<String> paged = new ArrayList<>();
        String next = "/orders?customer=" + customer + "&limit=300";
        while (!next.isEmpty()) {
            Reply page = client.get(next);
            paged.addAll(ids(page));
            String more = page.header("Link");
            next = more.isEmpty() ? "" : more.substring(1, more.indexOf('>'));
        }
        assertThat(paged).hasSize(placed.size()).doesNotHaveDuplicates();
        assertError(client.get("/orders?after=not-a-cursor"), 400, "bad_request");
    }

    // ---- operations

    @Test
    void healthSaysTheStoreAndProjectionsAreUp() {
        Reply health = client.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("up");
        assertThat(health.json().get("store").get("status").asText()).isEqualTo("up");
        assertThat(health.json().get("failing")).isEmpty();
        assertThat(health.json().get("projections")).isNotEmpty();
    }

    @Test
    void metricsShowRelatosMetersInPrometheusFormatAndTheyMoveWhenAnOrderIsPlaced() {
        Reply before = client.get("/metrics");
        assertThat(before.status()).isEqualTo(200);
        assertThat(before.contentType()).startsWith("text/plain; version=0.0.4");
        PrometheusText was = PrometheusText.parse(before.body());

        String id = client.place(customer());
        client.addLine(id, "METER", 2, "3.50");

        PrometheusText now = PrometheusText.parse(client.get("/metrics").body());
        Map<String, String> appended = Map.of("category", OrdersService.CATEGORY, "outcome", "succeeded");
        assertThat(now.sum("relato_append_seconds_count", appended) - was.sum("relato_append_seconds_count",
                appended)).isEqualTo(2);
        Map<String, String> order = Map.of("category", OrdersService.CATEGORY);
        assertThat(now.sum("relato_append_events_count", order) - was.sum("relato_append_events_count", order))
                .isEqualTo(2);
        assertThat(now.sum("relato_command_attempts_count", order) - was.sum("relato_command_attempts_count", order))
                .isEqualTo(2);
        assertThat(now.sum("relato_load_seconds_count", order)).isGreaterThan(was.sum("relato_load_seconds_count",
                order));
        Map<String, String> orderList = Map.of("projection", "order-list", "outcome", "succeeded");
        assertThat(now.sum("relato_projection_handle_seconds_count", orderList)
                - was.sum("relato_projection_handle_seconds_count", orderList)).isGreaterThanOrEqualTo(2);
        Map<String, String> projection = Map.of("projection", "order-list");
        assertThat(now.samples("relato_projection_lag_positions", projection)).hasSize(1);
        assertThat(now.samples("relato_projection_lag_time_seconds", projection)).hasSize(1);
        assertThat(now.samples("relato_projection_state", projection)).isNotEmpty()
                .allSatisfy(value -> assertThat(value).isIn(0.0, 1.0));
        assertThat(now.sum("relato_projection_state", projection)).isEqualTo(1);
        assertThat(now.sum("relato_projection_lease_held", projection)).isEqualTo(1);
        assertThat(now.body()).doesNotContain(id);
    }

    @Test
    void aStoppedProjectionShowsAndAnOperatorSkipsItsPoisonEvent() throws Exception {
        String poisoned = "poison-" + UUID.randomUUID();
        AppendResult poison = app.store().append(new StreamId(OrdersService.CATEGORY, poisoned),
                ExpectedVersion.noStream(), List.of(EventData.of("OrderLineAdded", "{\"orderId\":\"" + poisoned
                        + "\"}")));
        awaitFailed("order-list");
        JsonNode stopped = client.get("/projections/order-list").json();
        assertThat(stopped.get("state").asText()).isEqualTo("failed");
        assertThat(stopped.get("lastError").asText()).isNotBlank();
        assertThat(stopped.get("lag").asLong()).isEqualTo(1);
        Reply health = client.get("/health");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().get("status").asText()).isEqualTo("down");
        assertThat(health.json().get("failing").toString()).contains("projection order-list");
        assertError(client.get("/orders/" + poisoned), 500, "internal_error");

        String customer = customer();
        String id = client.place(customer);
        client.addLine(id, "A", 1, "1");
        assertThat(client.get("/projections/order-list").json().get("lag").asLong()).isEqualTo(3);

        assertThat(client.post("/projections/order-list/resume").status()).isEqualTo(200);
        awaitFailed("order-list");
        Reply skipped = client.post("/projections/order-list/skip");
        assertThat(skipped.status()).as(skipped.toString()).isEqualTo(200);
        assertThat(skipped.json().get("skipped").get("position").asLong()).isEqualTo(poison.lastPosition());
        assertError(client.post("/projections/order-list/skip"), 409, "projection_not_failed");
        assertError(client.post("/projections/order-list/resume"), 409, "projection_not_failed");
        JsonNode history = client.get("/orders/" + id + "/events").json();
        awaitProjectionsCaughtUp(history.get(history.size() - 1).get("position").asLong());
        assertThat(client.get("/health").status()).isEqualTo(200);
        assertThat(client.get("/orders?customer=" + customer).json().get(0).get("lines").asInt()).isEqualTo(1);
        JsonNode letters = client.get("/projections/order-list/dead-letters").json();
        assertThat(letters.toString()).contains(poison.stream().toString());
        Reply replay = client.post("/projections/order-list/dead-letters/" + poison.lastPosition() + "/replay");
        assertThat(replay.json().get("replayed").asBoolean()).isFalse();
        assertError(client.get("/projections/nothing"), 404, "projection_not_found");
    }

    @Test
    void theOpenApiDescriptionMatchesTheRoutes() throws Exception {
        Reply served = client.get("/openapi.json");
        assertThat(served.status()).isEqualTo(200);
        JsonNode paths = served.json().get("paths");
        Map<String, Set<String>> documented = new TreeMap<>();
        paths.fields().forEachRemaining(path -> {
            Set<String> methods = new TreeSet<>();
            path.getValue().fieldNames().forEachRemaining(m -> methods.add(m.toUpperCase(Locale.ROOT)));
            documented.put(path.getKey(), methods);
        });
        Map<String, Set<String>> routed = new TreeMap<>();
        app.api().routes().forEach((template, methods) -> {
            Set<String> withoutHead = new TreeSet<>(methods);
            withoutHead.remove("HEAD");
            routed.put(template, withoutHead);
        });
        assertThat(documented).isEqualTo(routed);

        String id = client.place(customer());
        String line = client.addLine(id, "DOC", 1, "1");
        for (Map.Entry<String, Set<String>> path : documented.entrySet()) {
            String concrete = path.getKey().replace("{id}", id).replace("{lineId}", line)
                    .replace("{customer}", "nobody").replace("{name}", "order-list").replace("{position}", "1")
                    .replace("{sku}", "DOC");
            for (String method : path.getValue()) {
                // a body only with POST: a body the route does not read can end the connection after the answer
                Reply reply = client.send(method, concrete, method.equals("POST") ? "{}" : null);
                if (reply.status() == 204) {
                    assertThat(reply.body()).as(method + " " + concrete).isEmpty();
                } else {
                    assertThat(reply.contentType()).as(method + " " + concrete)
                            .startsWith(path.getKey().equals("/metrics") ? "text/plain" : "application/json");
                }
                assertThat(reply.status()).as(method + " " + concrete + ": " + reply).isNotEqualTo(405);
                if (reply.status() == 404) {
                    assertThat(reply.error()).as(method + " " + concrete).isNotEqualTo("not_found");
                }
            }
        }
    }

    @Test
    void randomRequestsGetJsonAnswersInBoundedTimeAndSize() throws Exception {
        String id = client.place(customer());
        String line = client.addLine(id, "FUZZ", 1, "1");
        RandomRequests requests = new RandomRequests(RandomRequests.seed(), id, line);
        for (int i = 0; i < RandomRequests.COUNT; i++) {
            byte[] request = requests.next();
            RawHttp.Answer answer = raw.sendBytes(request, ANSWER_TIMEOUT);
            String what = requests.describe(request);
            assertThat(answer.status()).as(what).isBetween(200, 499);
            if (answer.status() != 204) { // forgetting a customer's personal data answers without a body
                assertThat(answer.header("Content-Type")).as(what).startsWith("application/json");
            }
            assertThat(answer.header(OrdersHttpApi.REQUEST_ID)).as(what).isNotBlank();
            if (!requests.isHead(request)) {
                assertThat(answer.json()).as(what).isNotNull();
            }
        }
        awaitProjectionsCaughtUp();
        assertThat(client.get("/health").status()).isEqualTo(200);
    }
}
