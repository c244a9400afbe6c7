package dev.relato.examples.orders;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.observe.Health;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionStatus;
import dev.relato.serialization.EventSerializer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JSON of the HTTP API: how requests are parsed (bounded) and how orders, lines, list rows, events,
 * projections and problems are written. Thread-safe.
 *
 * <p>Parsing is bounded before any value is built: numbers of at most {@value #MAX_NUMBER_LENGTH} characters,
 * nesting at most {@value #MAX_DEPTH} deep, no duplicate keys, nothing after the value. Decimals are read as
 * {@link java.math.BigDecimal} exactly as sent (no rounding through {@code double}, no stripping), so the
 * price rules see the value the client wrote.
 */
public final class OrdersJson {
    static final int MAX_NUMBER_LENGTH = 100;
    static final int MAX_DEPTH = 32;
    /** A projection this far behind the head, in positions or in time, makes the service not ready. */
    static final long HEALTH_MAX_POSITIONS_BEHIND = 100_000;
    static final Duration HEALTH_MAX_TIME_BEHIND = Duration.ofMinutes(1);

    private final ObjectMapper mapper = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .maxNestingDepth(MAX_DEPTH)
                            .maxStringLength(OrdersRequests.MAX_BODY_BYTES)
                            .build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    /** A request body parsed as a JSON value. */
    public JsonNode read(byte[] body) throws JsonProcessingException {
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from memory failed", e);
        }
    }

    public byte[] write(JsonNode node) throws JsonProcessingException {
        return mapper.writeValueAsBytes(node);
    }

    public ObjectNode object() {
        return mapper.createObjectNode();
    }

    public ArrayNode array() {
        return mapper.createArrayNode();
    }

    /** {@code {error, message, requestId}}. */
    public ObjectNode problem(String error, String message, String requestId) {
        return object().put("error", error).put("message", message).put("requestId", requestId);
    }

    /** The order as a state: id, customer, status, version, total, lines, and the cancellation reason if any. */
    public ObjectNode order(StreamId stream, long version, OrderState state) {
        ObjectNode out = object().put("id", stream.id()).put("customer", state.customer())
                .put("status", state.status().label()).put("version", version).put("total", state.total());
        ArrayNode lines = out.putArray("lines");
        for (OrderLine line : state.lines()) {
            lines.add(line(line));
        }
        state.cancelReason().ifPresent(r -> out.put("cancelReason", r));
        state.customerName().ifPresent(n -> out.put("customerName", n));
        return out;
    }

    public ObjectNode line(OrderLine line) {
        return object().put("lineId", line.lineId()).put("sku", line.sku()).put("quantity", line.quantity())
                .put("unitPrice", line.unitPrice()).put("amount", line.amount());
    }

    public ArrayNode list(List<OrderSummary> rows) {
        ArrayNode out = array();
        for (OrderSummary row : rows) {
            out.addObject().put("id", row.orderId()).put("customer", row.customer()).put("status", row.status().label())
                    .put("lines", row.lineCount()).put("total", row.total()).put("placedAt", row.placedAt().toString())
                    .put("updatedAt", row.updatedAt().toString()).put("version", row.version());
        }
        return out;
    }

    /** An event of the history, its payload the stored JSON text as it is (the store checked it is JSON). */
    public ObjectNode event(RecordedEvent event) {
        ObjectNode node = object().put("eventId", event.eventId().toString()).put("type", event.type())
                .put("version", event.streamVersion()).put("position", event.position())
                .put("recordedAt", event.recordedAt().toString());
        node.putRawValue("payload", new RawValue(event.payload()));
        if (!event.metadata().isEmpty()) {
            node.set("metadata", mapper.valueToTree(event.metadata().entries()));
        }
        return node;
    }

    public ObjectNode customer(CustomerTotals totals) {
        return object().put("customer", totals.customer()).put("orders", totals.orders())
                .put("confirmed", totals.confirmed()).put("shipped", totals.shipped())
                .put("cancelled", totals.cancelled()).put("confirmedValue", totals.confirmedValue());
    }

    ObjectNode projection(ManagedProjection.Report report) {
        ObjectNode node = object().put("name", report.name()).put("state", label(report.state()))
                .put("position", report.position()).put("head", report.head()).put("lag", report.lag())
                .put("lagExact", !report.lagAtLeast()).put("lagMillis", report.timeBehind().toMillis())
                .put("deadLetters", report.deadLetters());
        report.lastError().ifPresent(error -> node.put("lastError", error));
        return node;
    }

    /**
     * A projection's report: its state, position, the head, the lag counted in events of the projection (up to
     * {@value ManagedProjection#LAG_COUNT_LIMIT}) and in time, its dead letters and last error.
     *
     * @param runner     the projection's runner
     * @param store      the store whose log the runner reads
     * @param serializer the serializer the runner decodes with
     * @throws dev.relato.StoreUnavailableException if the log cannot be read
     */
    public ObjectNode projection(ProjectionRunner<?> runner, EventStore store, EventSerializer serializer) {
        return projection(ManagedProjection.report(runner, store, runner.projection().filter(serializer)));
    }

    /**
     * The service's health: the store's, and each projection's (down if failed or more than
     * {@value #HEALTH_MAX_POSITIONS_BEHIND} positions or {@link #HEALTH_MAX_TIME_BEHIND} behind); {@code status} is
     * {@code up} only if all are, and {@code failing} names those that are not.
     */
    public ObjectNode health(Health store, List<ProjectionStatus> projections) {
        ObjectNode out = object();
        List<String> failing = new ArrayList<>();
        out.putObject("store").put("status", store.up() ? "up" : "down").put("detail", store.detail());
        if (!store.up()) {
            failing.add("store");
        }
        ArrayNode nodes = out.putArray("projections");
        for (ProjectionStatus status : projections) {
            Health health = Health.of(status, HEALTH_MAX_POSITIONS_BEHIND, HEALTH_MAX_TIME_BEHIND);
            ObjectNode node = nodes.addObject().put("name", status.name())
                    .put("status", health.up() ? "up" : "down").put("state", label(status.state()))
                    .put("detail", health.detail());
            status.lastError().ifPresent(error -> node.put("lastError", error));
            if (!health.up()) {
                failing.add("projection " + status.name());
            }
        }
        out.put("status", failing.isEmpty() ? "up" : "down");
        ArrayNode down = out.putArray("failing");
        failing.forEach(down::add);
        return out;
    }

    /** Whether a {@link #health} answer says everything is up. */
    public static boolean isUp(ObjectNode health) {
        return "up".equals(health.path("status").asText());
    }

    public ObjectNode deadLetter(DeadLetter letter) {
        return object().put("position", letter.position()).put("eventId", letter.eventId().toString())
                .put("stream", letter.streamId().toString()).put("version", letter.streamVersion())
                .put("type", letter.type()).put("error", letter.error()).put("attempts", letter.attempts())
                .put("failedAt", letter.failedAt().toString());
    }

    static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
