package dev.relato.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.projection.ProjectionState;
import dev.relato.spring.RelatoProjections;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The Orders API over HTTP, the same on every store the Spring example runs on. */
abstract class OrdersHttpContract {
    private static final String ORDER_LIST = "order-list";
    /** Decimals read as sent, so that a test sees {@code 12.50} and not {@code 12.5}. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;
    @Autowired
    RelatoProjections projections;
    @Autowired
    EventStore store;

    record Reply(int status, JsonNode body, HttpHeaders headers) {
        Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    @BeforeEach
    void stock() throws Exception {
        for (String sku : List.of("BOOK-42", "PEN", "A", "B", "X")) {
            // confirming reserves stock: enough that no order here is refused (fulfilment has tests of its own)
            assertThat(send("POST", "/inventory/" + sku, "{\"quantity\":1000000}").status()).isEqualTo(200);
        }
    }

    @Test
    void anOrderIsPlacedFilledConfirmedAndListed() throws Exception {
        String customer = "alice-" + UUID.randomUUID();
        Reply placed = send("POST", "/orders", "{\"customer\":\"" + customer + "\"}");
        assertThat(placed.status()).isEqualTo(201);
        assertThat(placed.body().get("version").asLong()).isEqualTo(1);
        String id = placed.body().get("id").asText();

        Reply line = send("POST", "/orders/" + id + "/lines", "{\"sku\":\"BOOK-42\",\"quantity\":2,\"unitPrice\":12.5}");
        assertThat(line.status()).isEqualTo(201);
        assertThat(line.body().get("orderId").asText()).isEqualTo(id);
        assertThat(line.body().get("version").asLong()).isEqualTo(2);

        Reply confirmed = send("POST", "/orders/" + id + "/confirm", null);
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(confirmed.body().get("status").asText()).isEqualTo("confirmed");
        assertThat(confirmed.body().get("version").asLong()).isEqualTo(3);
        assertThat(confirmed.body().get("total").decimalValue()).isEqualByComparingTo("25");
        assertThat(confirmed.body().get("lines").get(0).get("sku").asText()).isEqualTo("BOOK-42");

        Reply order = send("GET", "/orders/" + id, null);
        assertThat(order.status()).isEqualTo(200);
        // the fulfilment's state, which follows the log, is the one field a confirmed order's answer lacks
        ObjectNode read = (ObjectNode) order.body().deepCopy();
        read.remove("fulfilment");
        assertThat(read).isEqualTo(confirmed.body());

        assertThat(projections.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        Reply list = send("GET", "/orders?customer=" + customer, null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).hasSize(1);
        JsonNode row = list.body().get(0);
        assertThat(row.get("id").asText()).isEqualTo(id);
        assertThat(row.get("status").asText()).isEqualTo("confirmed");
        assertThat(row.get("lines").asInt()).isEqualTo(1);
        assertThat(row.get("total").decimalValue()).isEqualByComparingTo("25");
    }

    @Test
    void forgettingACustomerErasesTheNameInEveryOrderAndKeepsTheOthers() throws Exception {
        String ann = "ann-" + UUID.randomUUID();
        String bob = "bob-" + UUID.randomUUID();
        String first = send("POST", "/orders", "{\"customer\":\"" + ann + "\",\"customerName\":\"Ann Example\"}")
                .body().get("id").asText();
        String other = send("POST", "/orders", "{\"customer\":\"" + bob + "\",\"customerName\":\"Bob Example\"}")
                .body().get("id").asText();
        assertThat(send("GET", "/orders/" + first, null).body().get("customerName").asText()).isEqualTo("Ann Example");

        assertThat(send("DELETE", "/customers/" + ann + "/personal-data", null).status()).isEqualTo(204);
        assertThat(send("DELETE", "/customers/" + ann + "/personal-data", null).status()).isEqualTo(204);

        assertThat(send("GET", "/orders/" + first, null).body().get("customerName").asText()).isEqualTo("[erased]");
        assertThat(send("GET", "/orders/" + first + "/events", null).body().toString()).doesNotContain("Ann Example");
        assertThat(send("GET", "/orders/" + other, null).body().get("customerName").asText())
                .isEqualTo("Bob Example");
        assertThat(send("GET", "/customers/" + ann, null).body().get("orders").asLong()).isEqualTo(1);
        assertThat(send("GET", "/orders?customer=" + ann, null).body().toString()).doesNotContain("Ann Example");
    }

    @Test
    void linesAreRemovedAndOrdersCancelled() throws Exception {
        String id = send("POST", "/orders", "{\"customer\":\"bob\"}").body().get("id").asText();
        String lineId = send("POST", "/orders/" + id + "/lines", "{\"sku\":\"PEN\",\"quantity\":1,\"unitPrice\":2}")
                .body().get("lineId").asText();
        Reply removed = send("DELETE", "/orders/" + id + "/lines/" + lineId, null);
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.body().get("lines")).isEmpty();
        Reply cancelled = send("POST", "/orders/" + id + "/cancel", "{\"reason\":\"changed my mind\"}");
        assertThat(cancelled.body().get("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.body().get("cancelReason").asText()).isEqualTo("changed my mind");
    }

    @Test
    void rulesAnswerWithTheirStatusAndCode() throws Exception {
        String id = send("POST", "/orders", "{\"customer\":\"carol\"}").body().get("id").asText();
        Reply empty = send("POST", "/orders/" + id + "/confirm", null);
        assertThat(empty.status()).isEqualTo(409);
        assertThat(empty.body().get("error").asText()).isEqualTo("order_empty");

        Reply invalid = send("POST", "/orders/" + id + "/lines", "{\"sku\":\"PEN\",\"quantity\":0,\"unitPrice\":2}");
        assertThat(invalid.status()).isEqualTo(422);

        Reply missing = send("GET", "/orders/" + UUID.randomUUID(), null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("error").asText()).isEqualTo("order_not_found");

        Reply unknown = send("POST", "/orders/" + UUID.randomUUID() + "/confirm", null);
        assertThat(unknown.status()).isEqualTo(404);

        Reply noCustomer = send("POST", "/orders", "{}");
        assertThat(noCustomer.status()).isEqualTo(400);
        assertThat(noCustomer.body().get("message").asText()).contains("customer");
    }

    @Test
    void pricesAreStoredAndEchoedInCanonicalForm() throws Exception {
        String id = send("POST", "/orders", "{\"customer\":\"dora\"}").body().get("id").asText();
        assertThat(send("POST", "/orders/" + id + "/lines", line("A", "12.500000")).status()).isEqualTo(201);
        assertThat(send("POST", "/orders/" + id + "/lines", line("B", "8")).status()).isEqualTo(201);
        JsonNode order = send("GET", "/orders/" + id, null).body();
        assertThat(order.get("lines").get(0).get("unitPrice").asText()).isEqualTo("12.50");
        assertThat(order.get("lines").get(1).get("unitPrice").asText()).isEqualTo("8.00");
        assertThat(order.get("total").asText()).isEqualTo("20.50");
        JsonNode history = send("GET", "/orders/" + id + "/events", null).body();
        assertThat(history.get(1).get("payload").get("unitPrice").asText()).isEqualTo("12.50");
    }

    @Test
    void hostilePricesGetASmall422AndPoisonNothing() throws Exception {
        String id = send("POST", "/orders", "{\"customer\":\"erin\"}").body().get("id").asText();
        for (String price : List.of("1e999999999", "0E-10000", "12.5" + "0".repeat(63), "-0.01", "0.00001",
                "1000000000000", "1" + "0".repeat(90))) {
            Reply reply = send("POST", "/orders/" + id + "/lines", line("X", price));
            assertThat(reply.status()).as(price).isEqualTo(422);
            assertThat(reply.body().get("error").asText()).as(price).isEqualTo("invalid_price");
            assertThat(reply.body().toString().length()).as(price).isLessThan(1000);
        }
        assertThat(send("POST", "/orders/" + id + "/lines", line("X", "1" + "0".repeat(2000))).status())
                .isEqualTo(400);
        assertThat(send("GET", "/orders/" + id, null).body().get("lines")).isEmpty();
        assertThat(send("GET", "/orders/" + id + "/events", null).body()).hasSize(1);
    }

    @Test
    void anOrdersHistoryListsItsEventsOldestFirst() throws Exception {
        String id = send("POST", "/orders", "{\"customer\":\"fay\"}").body().get("id").asText();
        send("POST", "/orders/" + id + "/lines", line("PEN", "2"));
        send("POST", "/orders/" + id + "/confirm", null);
        Reply history = send("GET", "/orders/" + id + "/events", null);
        assertThat(history.status()).isEqualTo(200);
        assertThat(history.body()).hasSize(3);
        assertThat(history.body().get(0).get("type").asText()).isEqualTo("OrderPlaced");
        assertThat(history.body().get(0).get("version").asLong()).isEqualTo(1);
        assertThat(history.body().get(0).get("payload").get("customer").asText()).isEqualTo("fay");
        assertThat(history.body().get(2).get("version").asLong()).isEqualTo(3);
        assertThat(history.body().get(1).get("position").asLong())
                .isGreaterThan(history.body().get(0).get("position").asLong());

        Reply unknown = send("GET", "/orders/" + UUID.randomUUID() + "/events", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().get("error").asText()).isEqualTo("order_not_found");
    }

    @Test
    void customerTotalsCountOrdersAndConfirmedValue() throws Exception {
        String customer = "totals-" + UUID.randomUUID();
        String first = send("POST", "/orders", "{\"customer\":\"" + customer + "\"}").body().get("id").asText();
        send("POST", "/orders/" + first + "/lines", "{\"sku\":\"A\",\"quantity\":2,\"unitPrice\":10.25}");
        send("POST", "/orders/" + first + "/confirm", null);
        send("POST", "/orders/" + first + "/ship", null);
        String second = send("POST", "/orders", "{\"customer\":\"" + customer + "\"}").body().get("id").asText();
        send("POST", "/orders/" + second + "/lines", line("B", "5"));
        send("POST", "/orders/" + second + "/confirm", null);
        send("POST", "/orders/" + second + "/cancel", "{\"reason\":\"duplicate\"}");
        send("POST", "/orders", "{\"customer\":\"" + customer + "\"}");

        Reply totals = send("GET", "/customers/" + customer, null);
        assertThat(totals.status()).isEqualTo(200);
        assertThat(totals.body().get("customer").asText()).isEqualTo(customer);
        assertThat(totals.body().get("orders").asLong()).isEqualTo(3);
        assertThat(totals.body().get("confirmed").asLong()).isEqualTo(2);
        assertThat(totals.body().get("shipped").asLong()).isEqualTo(1);
        assertThat(totals.body().get("cancelled").asLong()).isEqualTo(1);
        assertThat(totals.body().get("confirmedValue").asText()).isEqualTo("25.50");
        assertError(send("GET", "/customers/nobody-" + UUID.randomUUID(), null), 404, "customer_not_found");
    }

    @Test
    void anIdempotencyKeyReplaysTheFirstOutcome() throws Exception {
        String customer = "idem-" + UUID.randomUUID();
        String placeKey = UUID.randomUUID().toString();
        Reply placed = send("POST", "/orders", "{\"customer\":\"" + customer + "\"}", placeKey);
        assertThat(placed.status()).isEqualTo(201);
        assertThat(placed.header("Idempotent-Replayed")).isEmpty();
        Reply again = send("POST", "/orders", "{\"customer\":\"" + customer + "\"}", placeKey);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(placed.body());
        assertThat(again.header("Location")).isEqualTo(placed.header("Location"));
        assertThat(again.header("Idempotent-Replayed")).contains("true");
        String id = placed.body().get("id").asText();

        String lineKey = UUID.randomUUID().toString();
        Reply line = send("POST", "/orders/" + id + "/lines", line("A", "3.5"), lineKey);
        assertThat(line.status()).isEqualTo(201);
        Reply lineAgain = send("POST", "/orders/" + id + "/lines", line("A", "3.50"), lineKey);
        assertThat(lineAgain.status()).isEqualTo(201);
        assertThat(lineAgain.body()).isEqualTo(line.body());
        assertThat(lineAgain.header("Idempotent-Replayed")).contains("true");

        String confirmKey = UUID.randomUUID().toString();
        Reply confirmed = send("POST", "/orders/" + id + "/confirm", null, confirmKey);
        assertThat(confirmed.status()).isEqualTo(200);
        Reply confirmedAgain = send("POST", "/orders/" + id + "/confirm", null, confirmKey);
        assertThat(confirmedAgain.status()).isEqualTo(200);
        assertThat(confirmedAgain.body()).isEqualTo(confirmed.body());
        assertThat(confirmedAgain.header("Idempotent-Replayed")).contains("true");

        Reply events = send("GET", "/orders/" + id + "/events", null);
        assertThat(events.body()).hasSize(3);
        assertThat(events.body().get(0).get("metadata").get("idempotencyKey").asText()).isEqualTo(placeKey);
        assertThat(projections.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        assertThat(send("GET", "/orders?customer=" + customer, null).body()).hasSize(1);
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefused() throws Exception {
        String key = UUID.randomUUID().toString();
        assertThat(send("POST", "/orders", "{\"customer\":\"carol\"}", key).status()).isEqualTo(201);
        assertError(send("POST", "/orders", "{\"customer\":\"dave\"}", key), 422, "idempotency_key_reused");

        String id = send("POST", "/orders", "{\"customer\":\"erin\"}").body().get("id").asText();
        String lineKey = UUID.randomUUID().toString();
        assertThat(send("POST", "/orders/" + id + "/lines", line("A", "1"), lineKey).status()).isEqualTo(201);
        assertError(send("POST", "/orders/" + id + "/lines", line("A", "2"), lineKey), 422,
                "idempotency_key_reused");
        assertError(send("POST", "/orders/" + id + "/confirm", null, lineKey), 422, "idempotency_key_reused");
        String other = send("POST", "/orders", "{\"customer\":\"frank\"}").body().get("id").asText();
        assertError(send("POST", "/orders/" + other + "/lines", line("A", "1"), lineKey), 422,
                "idempotency_key_reused");
        assertError(send("POST", "/orders", "{\"customer\":\"x\"}", "has space"), 400,
                "invalid_idempotency_key");
        assertError(send("POST", "/orders", "{\"customer\":\"x\"}", "k".repeat(201)), 400,
                "invalid_idempotency_key");
        assertThat(send("GET", "/orders/" + id + "/events", null).body()).hasSize(2);
        assertThat(send("GET", "/orders/" + other + "/events", null).body()).hasSize(1);
    }

    @Test
    void aStoppedProjectionShowsAndAnOperatorSkipsItsPoisonEvent() throws Exception {
        String poisoned = "poison-" + UUID.randomUUID();
        AppendResult poison = store.append(StreamId.of(OrdersSpringApp.CATEGORY, poisoned), ExpectedVersion.noStream(),
                List.of(EventData.of("OrderLineAdded", "{\"orderId\":\"" + poisoned + "\"}")));
        awaitFailed();
        JsonNode stopped = send("GET", "/projections/" + ORDER_LIST, null).body();
        assertThat(stopped.get("state").asText()).isEqualTo("failed");
        assertThat(stopped.get("lastError").asText()).isNotBlank();
        assertThat(stopped.get("lag").asLong()).isEqualTo(1);
        Reply health = send("GET", "/health", null);
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.body().get("failing").toString()).contains("projection " + ORDER_LIST);
        assertError(send("GET", "/orders/" + poisoned, null), 500, "internal_error");

        String customer = "after-poison-" + UUID.randomUUID();
        String id = send("POST", "/orders", "{\"customer\":\"" + customer + "\"}").body().get("id").asText();
        assertThat(send("POST", "/projections/" + ORDER_LIST + "/resume", null).status()).isEqualTo(200);
        awaitFailed();
        Reply skipped = send("POST", "/projections/" + ORDER_LIST + "/skip", null);
        assertThat(skipped.status()).as(skipped.toString()).isEqualTo(200);
        assertThat(skipped.body().get("skipped").get("position").asLong()).isEqualTo(poison.lastPosition());
        assertError(send("POST", "/projections/" + ORDER_LIST + "/skip", null), 409, "projection_not_failed");
        assertError(send("POST", "/projections/" + ORDER_LIST + "/resume", null), 409, "projection_not_failed");
        assertThat(projections.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        assertThat(send("GET", "/health", null).status()).isEqualTo(200);
        assertThat(send("GET", "/orders?customer=" + customer, null).body().get(0).get("id").asText()).isEqualTo(id);
        JsonNode letters = send("GET", "/projections/" + ORDER_LIST + "/dead-letters", null).body();
        assertThat(letters.toString()).contains(poison.stream().toString());
        Reply replay = send("POST", "/projections/" + ORDER_LIST + "/dead-letters/" + poison.lastPosition()
                + "/replay", null);
        assertThat(replay.body().get("replayed").asBoolean()).isFalse();
    }

    private void awaitFailed() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (projections.status(ORDER_LIST).orElseThrow().state() != ProjectionState.FAILED) {
            assertThat(System.nanoTime() < deadline).as("projection %s fails", ORDER_LIST).isTrue();
            Thread.sleep(20);
        }
    }

    private static void assertError(Reply reply, int status, String error) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.body().get("error").asText()).isEqualTo(error);
    }

    private static String line(String sku, String price) {
        return "{\"sku\":\"" + sku + "\",\"quantity\":1,\"unitPrice\":" + price + "}";
    }

    @Test
    void theActuatorReportsHealthAndTheProjections() throws Exception {
        Reply health = send("GET", "/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().at("/components/relato/status").asText()).isEqualTo("UP");
        Reply listed = send("GET", "/actuator/projections", null);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body().get(0).get("name").asText()).isEqualTo(ORDER_LIST);
        assertThat(listed.body().get(0).has("lag")).isTrue();

        Reply paused = send("POST", "/actuator/projections/" + ORDER_LIST + "/pause", null);
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.body().get("paused").asBoolean()).isTrue();
        assertThat(paused.body().get("state").asText()).isEqualTo("paused");
        Reply resumed = send("POST", "/actuator/projections/" + ORDER_LIST + "/resume", null);
        assertThat(resumed.status()).isEqualTo(200);
        assertThat(resumed.body().get("paused").asBoolean()).isFalse();
        assertThat(send("POST", "/actuator/projections/nothing/pause", null).status()).isEqualTo(404);
        assertThat(send("POST", "/actuator/projections/" + ORDER_LIST + "/drop", null).status())
                .isEqualTo(400);
    }

    private Reply send(String method, String path, String body) throws IOException, InterruptedException {
        return send(method, path, body, null);
    }

    private Reply send(String method, String path, String body, String idempotencyKey)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json");
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        request
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body().isEmpty() ? JSON.nullNode()
                : JSON.readTree(response.body()), response.headers());
    }
}
