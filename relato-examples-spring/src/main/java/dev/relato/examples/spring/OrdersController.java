package dev.relato.examples.spring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.CommandResult;
import dev.relato.examples.orders.HttpProblem;
import dev.relato.examples.orders.IdempotencyKeys;
import dev.relato.examples.orders.IdempotentOrderCommands;
import dev.relato.examples.orders.OrderCommand;
import dev.relato.examples.orders.OrderEvent;
import dev.relato.examples.orders.OrderQuery;
import dev.relato.examples.orders.OrderState;
import dev.relato.examples.orders.OrderStatus;
import dev.relato.examples.orders.OrderSummary;
import dev.relato.examples.orders.OrdersFulfilment;
import dev.relato.examples.orders.OrdersJson;
import dev.relato.examples.orders.OrdersRequests;
import dev.relato.examples.orders.ProjectionSkip;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import dev.relato.serialization.EventSerializer;
import dev.relato.spring.RelatoProjections;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Orders API over HTTP, endpoint for endpoint and field for field the plain example's ({@code OrdersHttpApi},
 * described by the same {@code /openapi.json}): requests are read and checked by the plain example's
 * {@link OrdersRequests} (bodies up to {@value OrdersRequests#MAX_BODY_BYTES} bytes, bounded JSON numbers and
 * nesting, checked texts) and answers written by its {@link OrdersJson}; errors are {@code {error, message,
 * requestId}} ({@link OrdersErrors}). Commands take an optional {@code Idempotency-Key}; a retry answers the first
 * outcome again with {@code Idempotent-Replayed: true}. A command answers once the order list has its events (read
 * your writes). {@code GET /orders/{id}} (without {@code version} or {@code at}) adds the order's {@code fulfilment}
 * ({@link OrdersFulfilment}) once it is confirmed; a payment and the stock go to the same fulfilment. Thread-safe.
 */
@RestController
class OrdersController {
    private static final Logger LOG = LoggerFactory.getLogger(OrdersController.class);
    private static final MediaType JSON_TYPE = new MediaType("application", "json", StandardCharsets.UTF_8);
    private static final MediaType PROMETHEUS_TYPE = MediaType.parseMediaType("text/plain; version=0.0.4; charset=utf-8");

    private final OrdersService service;
    private final OrdersFulfilment fulfilment;
    private final RelatoProjections projections;
    private final EventStore store;
    private final EventSerializer serializer;
    private final PrometheusMeterRegistry registry;
    private final DeadLetterStore deadLetterStore;
    private final OrdersJson json = new OrdersJson();
    private final byte[] openApi;

    OrdersController(OrdersService service, OrdersFulfilment fulfilment, RelatoProjections projections,
            EventStore store, EventSerializer serializer, PrometheusMeterRegistry registry,
            DeadLetterStore deadLetterStore) {
        this.service = service;
        this.fulfilment = fulfilment;
        this.projections = projections;
        this.store = store;
        this.serializer = serializer;
        this.registry = registry;
        this.deadLetterStore = deadLetterStore;
        this.openApi = openApi();
    }

    // ---- orders

    @PostMapping("/orders")
    ResponseEntity<byte[]> place(HttpServletRequest request) {
        Optional<String> key = key(request);
        String id = key.map(IdempotencyKeys::orderId).orElseGet(() -> UUID.randomUUID().toString());
        ObjectNode body = body(request);
        String customer = OrdersRequests.text(body, "customer");
        String customerName = OrdersRequests.optionalText(body, "customerName");
        IdempotentOrderCommands.Outcome outcome = execute(new OrderCommand.PlaceOrder(id, customer, customerName),
                request, key);
        ObjectNode out = json.object().put("id", id).put("version", outcome.result().version());
        return committed(201, out, outcome, Map.of("Location", "/orders/" + OrdersRequests.encode(id)));
    }

    @GetMapping("/orders")
    ResponseEntity<byte[]> list(@RequestParam MultiValueMap<String, String> query) {
        OrderQuery wanted = OrdersRequests.listQuery(name -> param(query, name));
        List<OrderSummary> rows = service.list(wanted);
        ResponseEntity.BodyBuilder answer = ResponseEntity.ok().contentType(JSON_TYPE);
        OrdersRequests.nextLink(wanted, rows).ifPresent(link -> answer.header("Link", link));
        return answer.body(write(json.list(rows)));
    }

    @GetMapping("/orders/{id}")
    ResponseEntity<byte[]> order(@PathVariable("id") String path, @RequestParam MultiValueMap<String, String> query) {
        String id = orderId(path);
        Optional<String> version = param(query, "version");
        Optional<String> at = param(query, "at");
        if (version.isPresent() && at.isPresent()) {
            throw HttpProblem.bothVersionAndAt();
        }
        Aggregate<OrderState> order;
        if (version.isPresent()) {
            long wanted = OrdersRequests.positiveLong(version.get(), "version");
            order = service.order(id, wanted).orElseThrow(() -> service.order(id).isEmpty()
                    ? HttpProblem.orderNotFound(id) : HttpProblem.versionNotFound(id, wanted));
        } else if (at.isPresent()) {
            order = service.orderAt(id, OrdersRequests.instant(at.get(), "at"))
                    .orElseThrow(() -> HttpProblem.orderNotFound(id));
        } else {
            order = service.order(id).orElseThrow(() -> HttpProblem.orderNotFound(id));
            ObjectNode out = json.order(order.stream(), order.version(), order.state());
            fulfilment.state(id).ifPresent(state -> out.putObject("fulfilment").put("state", state));
            return ok(out);
        }
        return ok(json.order(order.stream(), order.version(), order.state()));
    }

    @GetMapping("/orders/{id}/events")
    ResponseEntity<byte[]> history(@PathVariable("id") String path) {
        String id = orderId(path);
        List<RecordedEvent> events = service.history(id);
        if (events.isEmpty()) {
            throw HttpProblem.orderNotFound(id);
        }
        ArrayNode out = json.array();
        events.forEach(e -> out.add(json.event(e)));
        return ok(out);
    }

    @PostMapping("/orders/{id}/lines")
    ResponseEntity<byte[]> addLine(@PathVariable("id") String path, HttpServletRequest request) {
        String id = orderId(path);
        Optional<String> key = key(request);
        String lineId = key.map(IdempotencyKeys::lineId).orElseGet(() -> UUID.randomUUID().toString());
        ObjectNode body = body(request);
        IdempotentOrderCommands.Outcome outcome = execute(new OrderCommand.AddLine(id, lineId,
                OrdersRequests.text(body, "sku"), OrdersRequests.integer(body, "quantity"),
                OrdersRequests.decimal(body, "unitPrice")), request, key);
        String added = OrdersRequests.addedLineId(outcome.result().events());
        ObjectNode out = json.object().put("orderId", id).put("lineId", added)
                .put("version", outcome.result().version());
        return committed(201, out, outcome, Map.of("Location", "/orders/" + OrdersRequests.encode(id) + "/lines/"
                + OrdersRequests.encode(added)));
    }

    @GetMapping("/orders/{id}/lines/{lineId}")
    ResponseEntity<byte[]> line(@PathVariable("id") String path, @PathVariable("lineId") String linePath) {
        String id = orderId(path);
        String lineId = OrdersRequests.checkedText(linePath, "line id");
        Aggregate<OrderState> order = service.order(id).orElseThrow(() -> HttpProblem.orderNotFound(id));
        return ok(json.line(order.state().line(lineId).orElseThrow(() -> HttpProblem.lineNotFound(id, lineId))));
    }

    @DeleteMapping("/orders/{id}/lines/{lineId}")
    ResponseEntity<byte[]> removeLine(@PathVariable("id") String path, @PathVariable("lineId") String linePath,
            HttpServletRequest request) {
        return changed(new OrderCommand.RemoveLine(orderId(path), OrdersRequests.checkedText(linePath, "line id")),
                request);
    }

    @PostMapping("/orders/{id}/confirm")
    ResponseEntity<byte[]> confirm(@PathVariable("id") String path, HttpServletRequest request) {
        return changed(new OrderCommand.ConfirmOrder(orderId(path)), request);
    }

    @PostMapping("/orders/{id}/ship")
    ResponseEntity<byte[]> ship(@PathVariable("id") String path, HttpServletRequest request) {
        return changed(new OrderCommand.ShipOrder(orderId(path)), request);
    }

    @PostMapping("/orders/{id}/cancel")
    ResponseEntity<byte[]> cancel(@PathVariable("id") String path, HttpServletRequest request) {
        String id = orderId(path);
        return changed(new OrderCommand.CancelOrder(id, OrdersRequests.text(body(request), "reason")), request);
    }

    /** Records a payment of a confirmed order; the fulfilment ships it. */
    @PostMapping("/orders/{id}/payment")
    ResponseEntity<byte[]> pay(@PathVariable("id") String path, HttpServletRequest request) {
        String id = orderId(path);
        BigDecimal amount = OrdersRequests.amount(body(request));
        OrderStatus status = service.order(id).orElseThrow(() -> HttpProblem.orderNotFound(id)).state().status();
        if (status != OrderStatus.CONFIRMED) {
            throw HttpProblem.orderNotConfirmed(id, status);
        }
        try {
            fulfilment.pay(id, amount);
        } catch (IllegalStateException e) {
            throw HttpProblem.orderAlreadyPaid(e.getMessage());
        }
        return ResponseEntity.status(202).contentType(JSON_TYPE)
                .body(write(json.object().put("orderId", id).put("amount", amount)));
    }

    // ---- stock

    @PostMapping("/inventory/{sku}")
    ResponseEntity<byte[]> restock(@PathVariable("sku") String path, HttpServletRequest request) {
        String sku = OrdersRequests.checkedText(path, "SKU");
        return stock(sku, fulfilment.restock(sku, OrdersRequests.positiveInteger(body(request), "quantity")));
    }

    @GetMapping("/inventory/{sku}")
    ResponseEntity<byte[]> available(@PathVariable("sku") String path) {
        String sku = OrdersRequests.checkedText(path, "SKU");
        return stock(sku, fulfilment.available(sku));
    }

    private ResponseEntity<byte[]> stock(String sku, int available) {
        return ok(json.object().put("sku", sku).put("available", available));
    }

    @GetMapping("/customers/{customer}")
    ResponseEntity<byte[]> customer(@PathVariable("customer") String path) {
        String customer = OrdersRequests.checkedText(path, "customer");
        return ok(json.customer(service.customer(customer)
                .orElseThrow(() -> HttpProblem.customerNotFound(customer))));
    }

    @DeleteMapping("/customers/{customer}/personal-data")
    ResponseEntity<byte[]> forgetCustomer(@PathVariable("customer") String path) {
        service.forgetCustomer(OrdersRequests.checkedText(path, "customer"));
        return ResponseEntity.noContent().build();
    }

    // ---- projections

    @GetMapping("/projections")
    ResponseEntity<byte[]> projections() {
        ArrayNode out = json.array();
        projections.names().forEach(name -> out.add(json.projection(runner(name), store, serializer)));
        return ok(out);
    }

    @GetMapping("/projections/{name}")
    ResponseEntity<byte[]> projection(@PathVariable("name") String path) {
        return ok(json.projection(runner(projectionName(path)), store, serializer));
    }

    @GetMapping("/projections/{name}/dead-letters")
    ResponseEntity<byte[]> deadLetters(@PathVariable("name") String path) {
        ArrayNode out = json.array();
        runner(projectionName(path)).deadLetters().forEach(letter -> out.add(json.deadLetter(letter)));
        return ok(out);
    }

    /** Starts the projection again from its checkpoint after it failed: it tries the failing event again. */
    @PostMapping("/projections/{name}/resume")
    ResponseEntity<byte[]> resume(@PathVariable("name") String path) {
        String name = projectionName(path);
        synchronized (projections) {
            ProjectionState state = runner(name).status().state();
            if (state != ProjectionState.FAILED) {
                throw HttpProblem.projectionNotFailed(name, state, "resume");
            }
            projections.resume(name);
        }
        return ok(json.projection(runner(name), store, serializer));
    }

    /** Skips the event a failed projection stopped at, keeping it as a dead letter; the projection goes on. */
    @PostMapping("/projections/{name}/skip")
    ResponseEntity<byte[]> skip(@PathVariable("name") String path) {
        String name = projectionName(path);
        DeadLetter skipped;
        synchronized (projections) {
            ProjectionRunner<?> stopped = runner(name);
            ProjectionState state = stopped.status().state();
            if (state != ProjectionState.FAILED) {
                throw HttpProblem.projectionNotFailed(name, state, "skip its event");
            }
            skipped = ProjectionSkip.skip(stopped, store, serializer, deadLetterStore);
            projections.resume(name);
        }
        ObjectNode out = json.projection(runner(name), store, serializer);
        out.set("skipped", json.deadLetter(skipped));
        return ok(out);
    }

    @PostMapping("/projections/{name}/dead-letters/{position}/replay")
    ResponseEntity<byte[]> replay(@PathVariable("name") String path, @PathVariable("position") String positionPath) {
        String name = projectionName(path);
        long position = OrdersRequests.positiveLong(OrdersRequests.checkedText(positionPath, "position"), "position");
        ProjectionRunner<?> runner = runner(name);
        boolean handled = runner.deadLetters().stream().filter(letter -> letter.position() == position).findFirst()
                .map(runner::replay).orElseThrow(() -> HttpProblem.deadLetterNotFound(name, position));
        return ok(json.object().put("position", position).put("replayed", handled));
    }

    // ---- operations

    @GetMapping("/health")
    ResponseEntity<byte[]> health() {
        ObjectNode out = json.health(service.storeHealth(), projections.statuses());
        return ResponseEntity.status(OrdersJson.isUp(out) ? 200 : 503).contentType(JSON_TYPE).body(write(out));
    }

    @GetMapping("/metrics")
    ResponseEntity<byte[]> metrics() {
        return ResponseEntity.ok().contentType(PROMETHEUS_TYPE).body(registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    @GetMapping("/openapi.json")
    ResponseEntity<byte[]> openApiDocument() {
        return ResponseEntity.ok().contentType(JSON_TYPE).body(openApi);
    }

    // ---- requests

    private IdempotentOrderCommands.Outcome execute(OrderCommand command, HttpServletRequest request,
            Optional<String> key) {
        String requestId = RequestIds.of(request);
        IdempotentOrderCommands.Outcome outcome = service.execute(command, requestId, key);
        service.awaitReadModels(outcome, requestId);
        return outcome;
    }

    private ResponseEntity<byte[]> changed(OrderCommand command, HttpServletRequest request) {
        IdempotentOrderCommands.Outcome outcome = execute(command, request, key(request));
        CommandResult<OrderState, OrderEvent> result = outcome.result();
        ObjectNode out = json.order(result.stream(), result.version(), result.state());
        return committed(200, out, outcome, Map.of());
    }

    private static Optional<String> key(HttpServletRequest request) {
        return OrdersRequests.idempotencyKey(Optional.ofNullable(request.getHeader(OrdersRequests.IDEMPOTENCY_KEY)));
    }

    private static String orderId(String path) {
        return OrdersRequests.checkedText(path, "order id");
    }

    private String projectionName(String path) {
        String name = OrdersRequests.checkedText(path, "projection name");
        if (!projections.names().contains(name)) {
            throw HttpProblem.projectionNotFound(name);
        }
        return name;
    }

    private ProjectionRunner<?> runner(String name) {
        try {
            return projections.runner(name).orElseThrow(() -> new HttpProblem(503, "unavailable",
                    "the projections are not running yet"));
        } catch (NoSuchElementException e) {
            throw HttpProblem.projectionNotFound(name);
        }
    }

    /** The body, at most {@value OrdersRequests#MAX_BODY_BYTES} bytes, as a JSON object. */
    private ObjectNode body(HttpServletRequest request) {
        if (request.getContentLengthLong() > OrdersRequests.MAX_BODY_BYTES) {
            throw HttpProblem.bodyTooLarge(OrdersRequests.MAX_BODY_BYTES, true);
        }
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            bytes = in.readNBytes(OrdersRequests.MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw HttpProblem.badRequest("the request body could not be read: " + e.getMessage());
        }
        if (bytes.length > OrdersRequests.MAX_BODY_BYTES) {
            throw HttpProblem.bodyTooLarge(OrdersRequests.MAX_BODY_BYTES, true);
        }
        return OrdersRequests.body(json, bytes);
    }

    /** A query parameter given at most once. */
    private static Optional<String> param(MultiValueMap<String, String> query, String name) {
        return OrdersRequests.single(name, query.get(name));
    }

    // ---- answers

    private ResponseEntity<byte[]> ok(JsonNode body) {
        return ResponseEntity.ok().contentType(JSON_TYPE).body(write(body));
    }

    /**
     * The answer to a command whose events are stored: if the full body cannot be written, the answer is still a
     * success, with just the order's id and version.
     */
    private ResponseEntity<byte[]> committed(int status, ObjectNode body, IdempotentOrderCommands.Outcome outcome,
            Map<String, String> headers) {
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(status).contentType(JSON_TYPE);
        headers.forEach((name, value) -> answer.header(name, value));
        if (outcome.replayed()) {
            answer.header(OrdersRequests.REPLAYED, "true");
        }
        byte[] bytes;
        try {
            bytes = json.write(body);
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("the command is stored, but its full answer could not be written; answering with the order's id"
                    + " and version", e);
            bytes = write(json.object().put("id", outcome.result().stream().id())
                    .put("version", outcome.result().version()));
        }
        return answer.body(bytes);
    }

    private byte[] write(JsonNode node) {
        try {
            return json.write(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the answer could not be written as JSON", e);
        }
    }

    private static byte[] openApi() {
        try (InputStream in = OrdersJson.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the plain example's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
