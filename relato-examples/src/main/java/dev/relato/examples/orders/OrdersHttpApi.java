package dev.relato.examples.orders;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.CommandResult;
import dev.relato.projection.ProjectionStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.LinkedHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-over-HTTP face of {@link OrdersService}: one handler that routes by method and path.
 *
 * <pre>
 * POST   /orders                      {customer}                 201 {id, version}
 * GET    /orders?customer=&amp;status=&amp;limit=  the order list (read model, newest first, 100 by default, at most 1000)
 * GET    /orders/{id}[?version=N|?at=INSTANT]  state, now, after event N, or as it stood then
 * GET    /orders/{id}/events          the order's history          200 [...]
 * POST   /orders/{id}/lines           {sku, quantity, unitPrice}  201 {orderId, lineId, version}
 * DELETE /orders/{id}/lines/{lineId}                              200 {order}
 * POST   /orders/{id}/confirm | /ship                             200 {order}
 * POST   /orders/{id}/cancel          {reason}                   200 {order}
 * GET    /customers/{customer}        orders and value per customer 200 {...}
 * GET    /projections                 projection positions, lag and state
 * </pre>
 *
 * <p>Every response carries an {@code X-Request-Id} (the client's, if it sent a valid one); the events a
 * request appends store it as their correlation id, shown in the history's {@code metadata}.
 *
 * <p>Errors are {@code {error, message}}: 400 malformed request (bad JSON, missing field, wrong type),
 * 404 unknown order or path, 405 wrong method, 409 a rule the order's state breaks or a concurrent update
 * that kept conflicting, 413 body over {@value #MAX_BODY_BYTES} bytes, 422 an invalid value, 503 store
 * unavailable, 500 anything else (logged). Thread-safe: exchanges are handled concurrently.
 */
final class OrdersHttpApi implements HttpHandler {
    static final int MAX_BODY_BYTES = 16 * 1024;
    /** Header carrying the request id, stored as the events' correlation id and echoed in the response. */
    static final String REQUEST_ID = "X-Request-Id";
    private static final Logger LOG = LoggerFactory.getLogger(OrdersHttpApi.class);

    private final OrdersService service;
    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    OrdersHttpApi(OrdersService service) {
        this.service = service;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String requestId = requestId(exchange);
            exchange.getResponseHeaders().set(REQUEST_ID, requestId);
            Metadata metadata = Metadata.empty().withCorrelationId(requestId);
            Response response;
            try {
                response = route(exchange, metadata);
            } catch (HttpProblem e) {
                response = error(e.status(), e.error(), e.getMessage()).withHeaders(e.headers());
            } catch (OrderRejectedException e) {
                int status = switch (e.reason().kind()) {
                    case NOT_FOUND -> 404;
                    case CONFLICT -> 409;
                    case INVALID -> 422;
                };
                response = error(status, e.reason().code(), e.getMessage());
            } catch (WrongExpectedVersionException e) {
                response = error(409, "concurrent_update", "the order kept changing while this request was applied;"
                        + " nothing was changed, try again");
            } catch (StoreUnavailableException e) {
                LOG.warn("{} {}: store unavailable", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                response = error(503, "store_unavailable", "the event store is unavailable; try again later");
            } catch (RuntimeException e) {
                LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                response = error(500, "internal_error", "the request failed unexpectedly");
            }
            send(exchange, response);
        }
    }

    private Response route(HttpExchange exchange, Metadata metadata) throws IOException {
        String method = exchange.getRequestMethod();
        List<String> path = segments(exchange.getRequestURI().getRawPath());
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        if (path.equals(List.of("projections"))) {
            requireMethod(method, "GET");
            return ok(200, projections());
        }
        if (path.size() == 2 && path.get(0).equals("customers")) {
            requireMethod(method, "GET");
            return ok(200, customer(decodeSegment(path.get(1))));
        }
        if (path.isEmpty() || !path.get(0).equals("orders")) {
            throw HttpProblem.notFound("no resource at " + exchange.getRequestURI().getPath());
        }
        if (path.size() == 1) {
            if (method.equals("POST")) {
                ObjectNode body = body(exchange);
                CommandResult<OrderState, OrderEvent> placed = service.place(text(body, "customer"), metadata);
                ObjectNode out = json.createObjectNode().put("id", placed.stream().id()).put("version", placed.version());
                return created(out, "/orders/" + placed.stream().id());
            }
            requireMethod(method, "GET, POST");
            return ok(200, list(query));
        }
        String orderId = orderId(path.get(1));
        String action = path.size() > 2 ? path.get(2) : "";
        switch (path.size() + ":" + action) {
            case "2:" -> {
                requireMethod(method, "GET");
                return ok(200, order(orderId, query));
            }
            case "3:events" -> {
                requireMethod(method, "GET");
                return ok(200, history(orderId));
            }
            case "3:lines" -> {
                requireMethod(method, "POST");
                ObjectNode body = body(exchange);
                String lineId = UUID.randomUUID().toString();
                CommandResult<OrderState, OrderEvent> added = service.addLine(orderId, lineId, text(body, "sku"),
                        integer(body, "quantity"), decimal(body, "unitPrice"), metadata);
                ObjectNode out = json.createObjectNode().put("orderId", orderId).put("lineId", lineId)
                        .put("version", added.version());
                return created(out, "/orders/" + orderId + "/lines/" + lineId);
            }
            case "4:lines" -> {
                requireMethod(method, "DELETE");
                return state(service.removeLine(orderId, decodeSegment(path.get(3)), metadata));
            }
            case "3:confirm" -> {
                requireMethod(method, "POST");
                return state(service.confirm(orderId, metadata));
            }
            case "3:ship" -> {
                requireMethod(method, "POST");
                return state(service.ship(orderId, metadata));
            }
            case "3:cancel" -> {
                requireMethod(method, "POST");
                return state(service.cancel(orderId, text(body(exchange), "reason"), metadata));
            }
            default -> throw HttpProblem.notFound("no resource at " + exchange.getRequestURI().getPath());
        }
    }

    private JsonNode list(Map<String, String> query) {
        Optional<OrderStatus> status = Optional.ofNullable(query.get("status")).map(s -> OrderStatus.fromLabel(s)
                .filter(found -> found != OrderStatus.NEW)
                .orElseThrow(() -> HttpProblem.badRequest("unknown status '" + s
                        + "'; use open, confirmed, shipped or cancelled")));
        Optional<String> customer = Optional.ofNullable(query.get("customer")).filter(c -> !c.isEmpty());
        int limit = Optional.ofNullable(query.get("limit")).map(l -> (int) Math.min(positiveLong(l, "limit"),
                OrderQuery.MAX_LIMIT)).orElse(OrderQuery.DEFAULT_LIMIT);
        ArrayNode rows = json.createArrayNode();
        for (OrderSummary row : service.list(new OrderQuery(customer, status, limit))) {
            rows.addObject().put("id", row.orderId()).put("customer", row.customer()).put("status", row.status().label())
                    .put("lines", row.lineCount()).put("total", row.total()).put("placedAt", row.placedAt().toString())
                    .put("updatedAt", row.updatedAt().toString()).put("version", row.version());
        }
        return rows;
    }

    private JsonNode order(String orderId, Map<String, String> query) {
        String version = query.get("version");
        String at = query.get("at");
        Optional<Aggregate<OrderState>> order;
        if (version != null && at != null) {
            throw HttpProblem.badRequest("give either 'version' or 'at', not both");
        } else if (version != null) {
            order = service.order(orderId, positiveLong(version, "version"));
        } else if (at != null) {
            order = service.orderAt(orderId, instant(at, "at"));
        } else {
            order = service.order(orderId);
        }
        return order.map(a -> stateJson(a.stream(), a.version(), a.state()))
                .orElseThrow(() -> unknownOrder(orderId));
    }

    private JsonNode history(String orderId) {
        List<RecordedEvent> events = service.history(orderId);
        if (events.isEmpty()) {
            throw unknownOrder(orderId);
        }
        ArrayNode out = json.createArrayNode();
        for (RecordedEvent event : events) {
            ObjectNode node = out.addObject().put("eventId", event.eventId().toString()).put("type", event.type())
                    .put("version", event.streamVersion()).put("position", event.position())
                    .put("recordedAt", event.recordedAt().toString());
            node.set("payload", parse(event.payload()));
            if (!event.metadata().isEmpty()) {
                node.set("metadata", json.valueToTree(event.metadata().entries()));
            }
        }
        return out;
    }

    private JsonNode customer(String customer) {
        CustomerTotals totals = service.customer(customer).orElseThrow(() -> new HttpProblem(404, "customer_not_found",
                "customer '" + customer + "' has placed no order"));
        return json.createObjectNode().put("customer", totals.customer()).put("orders", totals.orders())
                .put("confirmed", totals.confirmed()).put("shipped", totals.shipped())
                .put("cancelled", totals.cancelled()).put("confirmedValue", totals.confirmedValue());
    }

    private JsonNode projections() {
        ArrayNode out = json.createArrayNode();
        for (ProjectionStatus status : service.projections()) {
            ObjectNode node = out.addObject().put("name", status.name())
                    .put("state", status.state().name().toLowerCase(Locale.ROOT)).put("position", status.position())
                    .put("head", status.headPosition()).put("lag", status.positionsBehind())
                    .put("lagMillis", status.timeBehind().toMillis());
            status.lastError().ifPresent(error -> node.put("lastError", error));
        }
        return out;
    }

    private Response state(CommandResult<OrderState, OrderEvent> result) {
        return ok(200, stateJson(result.stream(), result.version(), result.state()));
    }

    private ObjectNode stateJson(StreamId stream, long version, OrderState state) {
        ObjectNode out = json.createObjectNode().put("id", stream.id()).put("customer", state.customer())
                .put("status", state.status().label()).put("version", version).put("total", state.total());
        ArrayNode lines = out.putArray("lines");
        for (OrderLine line : state.lines()) {
            lines.addObject().put("lineId", line.lineId()).put("sku", line.sku()).put("quantity", line.quantity())
                    .put("unitPrice", line.unitPrice()).put("amount", line.amount());
        }
        state.cancelReason().ifPresent(r -> out.put("cancelReason", r));
        return out;
    }

    private ObjectNode body(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new HttpProblem(413, "body_too_large", "request bodies are limited to " + MAX_BODY_BYTES + " bytes");
        }
        if (bytes.length == 0) {
            throw HttpProblem.badRequest("a JSON object body is required");
        }
        JsonNode node;
        try {
            node = json.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw HttpProblem.badRequest("malformed JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw HttpProblem.badRequest("the body must be a JSON object");
        }
        return object;
    }

    private static String text(ObjectNode body, String field) {
        JsonNode value = required(body, field);
        if (!value.isTextual()) {
            throw HttpProblem.badRequest("'" + field + "' must be a string");
        }
        return value.textValue();
    }

    private static int integer(ObjectNode body, String field) {
        JsonNode value = required(body, field);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw HttpProblem.badRequest("'" + field + "' must be a whole number");
        }
        return value.intValue();
    }

    private static BigDecimal decimal(ObjectNode body, String field) {
        JsonNode value = required(body, field);
        if (value.isNumber()) {
            return value.decimalValue();
        }
        if (value.isTextual()) {
            try {
                return new BigDecimal(value.textValue());
            } catch (NumberFormatException e) {
                throw HttpProblem.badRequest("'" + field + "' must be a decimal number");
            }
        }
        throw HttpProblem.badRequest("'" + field + "' must be a decimal number");
    }

    private static JsonNode required(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw HttpProblem.badRequest("'" + field + "' is required");
        }
        return value;
    }

    private static long positiveLong(String value, String name) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw HttpProblem.badRequest("'" + name + "' must be a whole number of 1 or more, got '" + value + "'");
    }

    /**
     * The request's id: the client's {@value #REQUEST_ID} header if it is 1 to 100 printable ASCII
     * characters, otherwise a new UUID.
     */
    private static String requestId(HttpExchange exchange) {
        String given = exchange.getRequestHeaders().getFirst(REQUEST_ID);
        if (given != null && !given.isEmpty() && given.length() <= 100
                && given.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return given;
        }
        return UUID.randomUUID().toString();
    }

    private static Instant instant(String value, String name) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw HttpProblem.badRequest("'" + name + "' must be an ISO-8601 instant such as 2024-05-01T10:15:30Z, got '"
                    + value + "'");
        }
    }

    private static String orderId(String segment) {
        String id = decodeSegment(segment);
        try {
            return new StreamId(OrdersService.CATEGORY, id).id();
        } catch (IllegalArgumentException e) {
            throw unknownOrder(id);
        }
    }

    private static HttpProblem unknownOrder(String orderId) {
        return new HttpProblem(404, "order_not_found", "order " + orderId + " does not exist");
    }

    private static void requireMethod(String method, String allowed) {
        if (!Arrays.asList(allowed.split(", ")).contains(method)) {
            throw HttpProblem.methodNotAllowed(method, allowed);
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(segment);
            }
        }
        return segments;
    }

    private static Map<String, String> query(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Map.of();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (params.putIfAbsent(key, value) != null) {
                throw HttpProblem.badRequest("query parameter '" + key + "' is given twice");
            }
        }
        return params;
    }

    /** A path segment, percent-decoded; unlike in a query, a '+' in a path is a plus sign, not a space. */
    private static String decodeSegment(String raw) {
        return decode(raw.replace("+", "%2B"), raw);
    }

    /** A query string's key or value: percent-decoded, '+' meaning a space. */
    private static String decode(String raw) {
        return decode(raw, raw);
    }

    private static String decode(String encoded, String raw) {
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpProblem.badRequest("malformed percent-encoding in '" + raw + "'");
        }
    }

    private JsonNode parse(String stored) {
        try {
            return json.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored payload is not JSON", e);
        }
    }

    private static Response ok(int status, JsonNode body) {
        return new Response(status, body, Map.of());
    }

    private static Response created(JsonNode body, String location) {
        return new Response(201, body, Map.of("Location", location));
    }

    private Response error(int status, String error, String message) {
        return ok(status, json.createObjectNode().put("error", error).put("message", message));
    }

    private void send(HttpExchange exchange, Response response) throws IOException {
        byte[] bytes = json.writeValueAsBytes(response.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        response.headers().forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private record Response(int status, JsonNode body, Map<String, String> headers) {
        Response withHeaders(Map<String, String> more) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.putAll(more);
            return new Response(status, body, all);
        }
    }
}
