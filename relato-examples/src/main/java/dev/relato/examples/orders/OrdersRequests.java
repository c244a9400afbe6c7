package dev.relato.examples.orders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The values of an HTTP request to the Orders API, read and checked the same way whatever server carries it:
 * path texts, query numbers and instants, body fields, the request id, the idempotency key, the order list's
 * query and its next-page link. Every refusal is an {@link HttpProblem} (400, or 400 {@code invalid_idempotency_key}).
 * Stateless and thread-safe.
 */
public final class OrdersRequests {
    /** Header carrying the request id, stored as the events' correlation id and echoed in the response. */
    public static final String REQUEST_ID = "X-Request-Id";
    /** Header carrying the client's key for a command it may retry. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Header set on the answer of a command that was handled before under the same key. */
    public static final String REPLAYED = "Idempotent-Replayed";
    /** The longest request body accepted, in bytes. */
    public static final int MAX_BODY_BYTES = 16 * 1024;
    /** The longest customers, SKUs, ids and names accepted in paths and queries. */
    public static final int MAX_PATH_TEXT = 200;

    private OrdersRequests() {
    }

    /**
     * The request's id: the client's {@value #REQUEST_ID} header if it is 1 to 100 printable ASCII characters,
     * otherwise a new UUID.
     */
    public static String requestId(Optional<String> given) {
        return given.filter(id -> !id.isEmpty() && id.length() <= 100 && id.chars().allMatch(c -> c > 0x20 && c < 0x7f))
                .orElseGet(() -> UUID.randomUUID().toString());
    }

    /** Where a command comes from: the request id and the client's idempotency key, checked, if it sent one. */
    static OrdersService.Origin origin(String requestId, Optional<String> idempotencyKey) {
        return new OrdersService.Origin(requestId, idempotencyKey(idempotencyKey));
    }

    /** The client's {@value #IDEMPOTENCY_KEY}, if it sent one; a key breaking the rules is refused. */
    public static Optional<String> idempotencyKey(Optional<String> given) {
        given.flatMap(IdempotencyKeys::problem).ifPresent(problem -> {
            throw new HttpProblem(400, "invalid_idempotency_key", problem);
        });
        return given;
    }

    /** The body as a JSON object. */
    public static ObjectNode body(OrdersJson json, byte[] bytes) {
        if (bytes.length == 0) {
            throw HttpProblem.badRequest("a JSON object body is required");
        }
        JsonNode node;
        try {
            node = json.read(bytes);
        } catch (JsonProcessingException e) {
            throw HttpProblem.badRequest("malformed JSON: " + shorten(e.getOriginalMessage()));
        }
        if (!(node instanceof ObjectNode object)) {
            throw HttpProblem.badRequest("the body must be a JSON object");
        }
        return object;
    }

    /** A string field of the body. */
    public static String text(ObjectNode body, String field) {
        return field(body, field, JsonNode::isTextual, "must be a string").textValue();
    }

    /** An optional string field of the body: null if absent or null. */
    public static @Nullable String optionalText(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : text(body, field);
    }

    /** A whole-number field of the body that fits an {@code int}. */
    public static int integer(ObjectNode body, String field) {
        return field(body, field, v -> v.isIntegralNumber() && v.canConvertToInt(), "must be a whole number")
                .intValue();
    }

    /** A JSON number, as sent; strings are refused (a price is a number, not text). */
    public static BigDecimal decimal(ObjectNode body, String field) {
        return field(body, field, JsonNode::isNumber, "must be a JSON number, such as 12.50").decimalValue();
    }

    /** A whole-number field of the body of 1 or more; 422 {@code invalid_<field>} if it is less. */
    public static int positiveInteger(ObjectNode body, String field) {
        int value = integer(body, field);
        if (value < 1) {
            throw new HttpProblem(422, "invalid_" + field, "'" + field + "' must be 1 or more");
        }
        return value;
    }

    /** The {@code amount} of a payment: a JSON number more than 0 (422 {@code invalid_amount} if not). */
    public static BigDecimal amount(ObjectNode body) {
        BigDecimal amount = decimal(body, "amount");
        if (amount.signum() <= 0) {
            throw new HttpProblem(422, "invalid_amount", "the amount must be more than 0");
        }
        return amount;
    }

    private static JsonNode field(ObjectNode body, String field, Predicate<JsonNode> valid, String rule) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw HttpProblem.badRequest("'" + field + "' is required");
        }
        if (!valid.test(value)) {
            throw HttpProblem.badRequest("'" + field + "' " + rule);
        }
        return value;
    }

    /** A query parameter given at most once: its values (none if absent) to the one value, if any. */
    public static Optional<String> single(String name, @Nullable List<String> values) {
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw HttpProblem.badRequest("query parameter '" + name + "' is given twice");
        }
        return Optional.of(values.get(0));
    }

    /** A whole number of 1 or more, from a path or query. */
    public static long positiveLong(String value, String name) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw HttpProblem.badRequest("'" + name + "' must be a whole number of 1 or more, got '" + shorten(value) + "'");
    }

    /** An ISO-8601 instant, from a query. */
    public static Instant instant(String value, String name) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw HttpProblem.badRequest("'" + name + "' must be an ISO-8601 instant such as 2024-05-01T10:15:30Z, got '"
                    + shorten(value) + "'");
        }
    }

    /** A text from a path or query, checked: not blank, short, no control characters or lone surrogates. */
    public static String checkedText(String value, String what) {
        TextRules.problem(what, value, MAX_PATH_TEXT).ifPresent(problem -> {
            throw HttpProblem.badRequest(problem);
        });
        return value;
    }

    /**
     * The order list's query from the query parameters {@code customer}, {@code status}, {@code limit} and
     * {@code after}.
     *
     * @param param a query parameter given at most once, by name
     */
    public static OrderQuery listQuery(Function<String, Optional<String>> param) {
        Optional<OrderStatus> status = param.apply("status").map(s -> OrderStatus.fromLabel(s)
                .filter(found -> found != OrderStatus.NEW)
                .orElseThrow(() -> HttpProblem.badRequest("unknown status '" + s
                        + "'; use open, confirmed, shipped or cancelled")));
        Optional<String> customer = param.apply("customer").filter(c -> !c.isEmpty())
                .map(c -> checkedText(c, "customer"));
        int limit = param.apply("limit").map(l -> (int) Math.min(positiveLong(l, "limit"), OrderQuery.MAX_LIMIT))
                .orElse(OrderQuery.DEFAULT_LIMIT);
        Optional<OrderCursor> after = param.apply("after").map(token -> OrderCursor.parse(token)
                .orElseThrow(() -> HttpProblem.badRequest("'after' is not a cursor this service gave out")));
        return new OrderQuery(customer, status, limit, after);
    }

    /** The {@code Link} header value pointing at the next page, if {@code rows} filled the page. */
    public static Optional<String> nextLink(OrderQuery query, List<OrderSummary> rows) {
        if (rows.size() < query.limit()) {
            return Optional.empty();
        }
        StringBuilder next = new StringBuilder("/orders?limit=").append(query.limit());
        query.customer().ifPresent(c -> next.append("&customer=").append(encode(c)));
        query.status().ifPresent(s -> next.append("&status=").append(s.label()));
        next.append("&after=").append(OrderCursor.after(rows.get(rows.size() - 1)).token());
        return Optional.of("<" + next + ">; rel=\"next\"");
    }

    /** The id of the line a command added, or empty text if it added none. */
    public static String addedLineId(List<OrderEvent> events) {
        return events.stream().filter(e -> e instanceof OrderEvent.OrderLineAdded)
                .map(e -> ((OrderEvent.OrderLineAdded) e).lineId()).findFirst().orElse("");
    }

    /** A value percent-encoded for a path segment or a query. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String shorten(String value) {
        return value.length() <= 60 ? value : value.substring(0, 60) + "…";
    }
}
