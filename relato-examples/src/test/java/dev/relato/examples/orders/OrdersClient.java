package dev.relato.examples.orders;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A small JSON client of the Orders HTTP API for tests. Thread-safe. */
final class OrdersClient {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    OrdersClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Reply post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply post(String path, String body, String requestId) {
        return send(HttpRequest.newBuilder(uri(path)).header(OrdersHttpApi.REQUEST_ID, requestId)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A POST with an {@code Idempotency-Key}; an empty body sends none. */
    Reply postOnce(String path, String body, String key) {
        return send(HttpRequest.newBuilder(uri(path)).header(OrdersHttpApi.IDEMPOTENCY_KEY, key)
                .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A DELETE with an {@code Idempotency-Key}. */
    Reply deleteOnce(String path, String key) {
        return send(HttpRequest.newBuilder(uri(path)).header(OrdersHttpApi.IDEMPOTENCY_KEY, key).DELETE());
    }

    Reply post(String path) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    Reply delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** Sends {@code body}, or no body if it is null. */
    Reply send(String method, String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Places an order and returns its id. */
    String place(String customer) {
        Reply reply = post("/orders", "{\"customer\":\"" + customer + "\"}");
        if (reply.status() != 201) {
            throw new AssertionError("placing an order failed: " + reply);
        }
        return reply.json().get("id").asText();
    }

    /** Adds a line and returns its id. */
    String addLine(String orderId, String sku, int quantity, String unitPrice) {
        Reply reply = post("/orders/" + orderId + "/lines",
                "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + ",\"unitPrice\":" + unitPrice + "}");
        if (reply.status() != 201) {
            throw new AssertionError("adding a line failed: " + reply);
        }
        return reply.json().get("lineId").asText();
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body(), response.headers().firstValue("Content-Type")
                    .orElse(""), response.headers().firstValue(OrdersHttpApi.REQUEST_ID).orElse(""),
                    response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One HTTP response. */
    record Reply(int status, String body, String contentType, String requestId, Map<String, List<String>> headers) {
        /** The first value of a response header, or an empty string. */
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse("");
        }

        @Override
        public String toString() {
            return status + " " + body;
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("response is not JSON: " + body, e);
            }
        }

        String error() {
            return json().path("error").asText();
        }
    }
}
