package dev.relato.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.relato.examples.orders.OrdersApp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same requests, sent to the plain Orders service and to this one, each on a new SQLite file, get the same
 * answers: status, JSON (every field and value; times, which differ by nature, only as present), and the headers a
 * client reads ({@code Location}, {@code Link}, {@code Allow}, {@code Idempotent-Replayed}, {@code X-Request-Id},
 * the content type). Ids are the same on both because every command carries an idempotency key and every request
 * its request id. The requests reach every path and method of {@code /openapi.json}.
 */
@SpringBootTest(classes = OrdersSpringApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlainAndSpringAnswerAlikeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields whose values are times of the run: compared as present, not by value. */
    private static final Set<String> TIMES = Set.of("recordedAt", "placedAt", "updatedAt", "failedAt", "lagMillis");
    private static final List<String> HEADERS = List.of("location", "link", "allow", "idempotent-replayed",
            "x-request-id");
    private static final long SETTLE_SECONDS = 20;
    private static Path folder;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> sent = new ArrayList<>();
    private OrdersApp plain;
    private int requests;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        folder = Files.createTempDirectory("relato-orders-alike");
        folder.toFile().deleteOnExit();
        for (String db : List.of("spring.db", "plain.db")) {
            for (String suffix : List.of("", "-wal", "-shm")) {
                folder.resolve(db + suffix).toFile().deleteOnExit();
            }
        }
        registry.add("relato.sqlite.path", () -> folder.resolve("spring.db").toString());
    }

    @BeforeAll
    void startPlainService() {
        plain = OrdersApp.start(OrdersApp.Settings.of(OrdersApp.Store.SQLITE)
                .withUrl(folder.resolve("plain.db").toString()));
    }

    @AfterAll
    void stopPlainService() {
        if (plain != null) {
            plain.close();
        }
    }

    @Test
    void everyEndpointAnswersAsThePlainServiceDoes() throws Exception {
        String customer = "alike";
        String id = alike("POST", "/orders", "{\"customer\":\"" + customer + "\"}", "place-1").get("id").asText();
        alike("POST", "/orders", "{\"customer\":\"" + customer + "\"}", "place-1");
        alike("POST", "/orders", "{\"customer\":\"someone else\"}", "place-1");
        String lineId = alike("POST", "/orders/" + id + "/lines", "{\"sku\":\"BOOK-42\",\"quantity\":2,"
                + "\"unitPrice\":12.5}", "line-1").get("lineId").asText();
        String second = alike("POST", "/orders/" + id + "/lines", "{\"sku\":\"PEN\",\"quantity\":1,\"unitPrice\":2}",
                "line-2").get("lineId").asText();
        alike("GET", "/orders/" + id + "/lines/" + lineId, null, null);
        alike("HEAD", "/orders/" + id + "/lines/" + lineId, null, null);
        alike("GET", "/orders/" + id + "/lines/nothing", null, null);
        alike("DELETE", "/orders/" + id + "/lines/" + second, null, "remove-2");
        alike("GET", "/inventory/BOOK-42", null, null);
        alike("POST", "/inventory/BOOK-42", "{\"quantity\":5}", null);
        alike("POST", "/inventory/PEN", "{\"quantity\":1}", null);
        alike("POST", "/inventory/BOOK-42", "{\"quantity\":0}", null);
        alike("POST", "/inventory/BOOK-42", "{\"quantity\":\"5\"}", null);
        alike("POST", "/orders/" + id + "/payment", "{\"amount\":25}", null);
        alike("POST", "/orders/" + id + "/confirm", null, "confirm-1");
        alike("POST", "/orders/" + id + "/confirm", null, null);
        settled("/inventory/BOOK-42", "{\"sku\":\"BOOK-42\",\"available\":3}");
        settled("/orders/" + id, null);
        alike("GET", "/orders/" + id + "?version=1", null, null);
        alike("GET", "/orders/" + id + "?version=3", null, null);
        alike("GET", "/orders/" + id + "?version=99", null, null);
        alike("GET", "/orders/" + id + "?version=0", null, null);
        alike("GET", "/orders/" + id + "?at=2000-01-01T00:00:00Z", null, null);
        alike("GET", "/orders/" + id + "?at=2999-01-01T00:00:00Z", null, null);
        alike("GET", "/orders/" + id + "?at=yesterday", null, null);
        alike("GET", "/orders/" + id + "?version=1&at=2999-01-01T00:00:00Z", null, null);
        alike("GET", "/orders/" + id + "?version=1&version=2", null, null);
        alike("GET", "/orders/" + id + "/events", null, null);
        alike("GET", "/orders/nothing/events", null, null);
        String other = alike("POST", "/orders", "{\"customer\":\"" + customer + "\"}", "place-2").get("id").asText();
        alike("POST", "/orders/" + other + "/cancel", "{\"reason\":\"changed my mind\"}", "cancel-2");
        String paid = alike("POST", "/orders", "{\"customer\":\"" + customer + "\"}", "place-3").get("id").asText();
        alike("POST", "/orders/" + paid + "/lines", "{\"sku\":\"BOOK-42\",\"quantity\":1,\"unitPrice\":12.5}",
                "line-3");
        alike("POST", "/orders/" + paid + "/confirm", null, "confirm-3");
        settled("/inventory/BOOK-42", "{\"sku\":\"BOOK-42\",\"available\":2}");
        alike("POST", "/orders/" + paid + "/payment", "{\"amount\":0}", null);
        alike("POST", "/orders/" + paid + "/payment", "{\"amount\":\"12.5\"}", null);
        alike("POST", "/orders/" + paid + "/payment", "{\"amount\":12.5}", null);
        // the payment ships the order asynchronously: both services answer a second payment alike once it has
        JsonNode shipped = settledWhen("/orders/" + paid, order -> order.path("status").asText().equals("shipped"));
        alike("POST", "/orders/" + paid + "/payment", "{\"amount\":12.5}", null);
        alike("POST", "/orders/nothing/payment", "{\"amount\":12.5}", null);
        assertThat(shipped.path("status").asText()).isEqualTo("shipped");
        assertThat(shipped.path("fulfilment").path("state").asText()).isEqualTo("paid");
        alike("GET", "/inventory/BOOK-42", null, null);
        alike("POST", "/orders/" + id + "/ship", null, "ship-1");
        alike("POST", "/orders/" + id + "/cancel", "{\"reason\":\"too late\"}", "cancel-1");
        alike("GET", "/orders?customer=" + customer, null, null);
        alike("GET", "/orders?customer=" + customer + "&status=shipped", null, null);
        alike("GET", "/orders?status=cancelled", null, null);
        alike("GET", "/orders?status=lost", null, null);
        alike("GET", "/orders?limit=1", null, null);
        alike("GET", "/orders?limit=0", null, null);
        alike("GET", "/orders?after=not-a-cursor", null, null);
        alike("GET", "/customers/" + customer, null, null);
        alike("GET", "/customers/nobody", null, null);
        String named = alike("POST", "/orders", "{\"customer\":\"named\",\"customerName\":\"Ann Example\"}",
                "place-named").get("id").asText();
        alike("POST", "/orders", "{\"customer\":\"named\",\"customerName\":7}", null);
        alike("POST", "/orders", "{\"customer\":\"$named\"}", null);
        alike("GET", "/orders/" + named, null, null);
        alike("DELETE", "/customers/named/personal-data", null, null);
        alike("DELETE", "/customers/named/personal-data", null, null);
        alike("DELETE", "/customers/nobody/personal-data", null, null);
        alike("GET", "/orders/" + named, null, null);
        alike("GET", "/orders/" + named + "?version=1", null, null);

        alike("POST", "/orders", "{}", "bad-1");
        alike("POST", "/orders", "[]", "bad-2");
        alike("POST", "/orders", "{\"customer\":", "bad-3");
        alike("POST", "/orders", "{\"customer\":\"a\",\"customer\":\"b\"}", "bad-4");
        alike("POST", "/orders", "{\"customer\":42}", "bad-5");
        alike("POST", "/orders", "", "bad-6");
        alike("POST", "/orders", "{\"customer\":\"" + "x".repeat(20_000) + "\"}", "bad-7");
        alike("POST", "/orders", "{\"customer\":\"  \"}", "bad-8");
        alike("POST", "/orders", "{\"customer\":\"x\"}", "has space");
        alike("POST", "/orders/" + id + "/lines", "{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":\"1\"}", "bad-9");
        alike("POST", "/orders/" + id + "/lines", "{\"sku\":\"A\",\"quantity\":1.5,\"unitPrice\":1}", "bad-10");
        alike("POST", "/orders/" + other + "/lines", "{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":1e999999}",
                "bad-11");
        alike("POST", "/orders/" + other + "/lines", "{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":1" + "0".repeat(200)
                + "}", "bad-12");
        alike("POST", "/orders/nothing/confirm", null, null);
        alike("GET", "/orders/" + "x".repeat(201), null, null);
        alike("DELETE", "/orders", null, null);
        alike("PUT", "/orders/" + id, null, null);
        alike("GET", "/nothing", null, null);

        settled("/projections", null);
        settled("/projections/order-list", null);
        alike("GET", "/projections/nothing", null, null);
        alike("GET", "/projections/order-list/dead-letters", null, null);
        alike("POST", "/projections/order-list/resume", null, null);
        alike("POST", "/projections/order-list/skip", null, null);
        alike("POST", "/projections/order-list/dead-letters/1/replay", null, null);
        alike("POST", "/projections/order-list/dead-letters/zero/replay", null, null);
        alike("GET", "/health", null, null);
        alike("GET", "/openapi.json", null, null);
        Answer metrics = send(port(false), "GET", "/metrics", null, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.mediaType()).isEqualTo(send(port(true), "GET", "/metrics", null, null).mediaType());
        assertThat(metrics.body()).contains("relato_");

        assertThat(sentPathsAndMethods()).containsAll(documented());
    }

    /** Sends the request to both services and checks they answer alike; returns the plain one's JSON. */
    private JsonNode alike(String method, String path, String body, String key) throws Exception {
        String requestId = "req-" + ++requests;
        Answer expected = send(port(true), method, path, body, key, requestId);
        Answer actual = send(port(false), method, path, body, key, requestId);
        String what = method + " " + path;
        sent.add(method + " " + path.replaceAll("\\?.*", ""));
        assertThat(actual.status()).as(what).isEqualTo(expected.status());
        assertThat(actual.headers()).as(what).isEqualTo(expected.headers());
        assertThat(actual.mediaType()).as(what).isEqualTo(expected.mediaType());
        JsonNode plainJson = expected.body().isEmpty() ? JSON.nullNode() : JSON.readTree(expected.body());
        JsonNode springJson = actual.body().isEmpty() ? JSON.nullNode() : JSON.readTree(actual.body());
        assertThat(withoutTimes(springJson)).as(what).isEqualTo(withoutTimes(plainJson));
        return plainJson;
    }

    /**
     * Waits (up to {@value #SETTLE_SECONDS} s) until both services answer {@code GET path} alike, and with
     * {@code expected} (JSON) if given, as the fulfilment follows the log after the command's answer; then checks it
     * as {@link #alike} does and returns the plain one's JSON.
     */
    private JsonNode settled(String path, String expected) throws Exception {
        JsonNode wanted = expected == null ? null : JSON.readTree(expected);
        JsonNode answer = settledWhen(path, json -> wanted == null || wanted.equals(json));
        if (wanted != null) {
            assertThat(answer).as("GET " + path).isEqualTo(wanted);
        }
        return answer;
    }

    /** Waits until both services answer {@code path} alike and {@code done} holds of the answer, then compares. */
    private JsonNode settledWhen(String path, Predicate<JsonNode> done) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
        while (System.nanoTime() < until) {
            Answer plainAnswer = send(port(true), "GET", path, null, null);
            Answer springAnswer = send(port(false), "GET", path, null, null);
            JsonNode plainJson = withoutTimes(JSON.readTree(plainAnswer.body()));
            if (plainJson.equals(withoutTimes(JSON.readTree(springAnswer.body())))
                    && done.test(plainJson)) {
                break;
            }
            Thread.sleep(50);
        }
        return alike("GET", path, null, null);
    }

    private int port(boolean plainService) {
        return plainService ? plain.port() : port;
    }

    private Answer send(int to, String method, String path, String body, String key) throws Exception {
        return send(to, method, path, body, key, "req-" + ++requests);
    }

    private Answer send(int to, String method, String path, String body, String key, String requestId)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to + path))
                .header("X-Request-Id", requestId)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, String> headers = new TreeMap<>();
        for (String name : HEADERS) {
            response.headers().firstValue(name).ifPresent(value -> headers.put(name, name.equals("link")
                    ? value.replaceAll("after=[^>&]*", "after=…") : value));
        }
        String mediaType = response.headers().firstValue("Content-Type").orElse("").replace(" ", "")
                .toLowerCase(Locale.ROOT);
        return new Answer(response.statusCode(), headers, mediaType, response.body());
    }

    /** The tree with the values of {@link #TIMES} replaced by a mark. */
    private static JsonNode withoutTimes(JsonNode node) {
        JsonNode copy = node.deepCopy();
        mask(copy);
        return copy;
    }

    private static void mask(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (TIMES.contains(name)) {
                    object.set(name, TextNode.valueOf("(a time)"));
                } else {
                    mask(object.get(name));
                }
            }
        } else if (node.isArray()) {
            node.forEach(PlainAndSpringAnswerAlikeTest::mask);
        }
    }

    /** The path templates and methods sent, as {@code METHOD /template}, from the paths sent. */
    private Set<String> sentPathsAndMethods() {
        Set<String> out = new LinkedHashSet<>();
        for (String request : sent) {
            out.add(request.replaceAll("/orders/[^/]+", "/orders/{id}").replaceAll("/lines/[^/]+", "/lines/{lineId}")
                    .replaceAll("/customers/[^/]+", "/customers/{customer}")
                    .replaceAll("/inventory/[^/]+", "/inventory/{sku}")
                    .replaceAll("/dead-letters/[^/]+/replay", "/dead-letters/{position}/replay")
                    .replaceAll("/projections/[^/]+", "/projections/{name}"));
        }
        return out;
    }

    /** Every path and method of the plain service's OpenAPI document, as {@code METHOD /template}. */
    private Set<String> documented() throws IOException {
        Set<String> out = new LinkedHashSet<>();
        JsonNode paths = JSON.readTree(OrdersApp.class.getResourceAsStream("openapi.json")).get("paths");
        paths.fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (Set.of("get", "post", "delete").contains(method) && !path.getKey().equals("/metrics")) {
                out.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        return out;
    }

    private record Answer(int status, Map<String, String> headers, String mediaType, String body) {
    }
}
