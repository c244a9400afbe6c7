package dev.relato.examples.spring;

import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.aggregate.CommandResult;
import dev.relato.examples.orders.CustomerTotals;
import dev.relato.examples.orders.IdempotencyKeys;
import dev.relato.examples.orders.IdempotentOrderCommands;
import dev.relato.examples.orders.OrderCommand;
import dev.relato.examples.orders.OrderEvent;
import dev.relato.examples.orders.OrderLine;
import dev.relato.examples.orders.OrderState;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Orders API over HTTP, with the paths and JSON of the plain example's core endpoints. Every POST (and the
 * DELETE of a line) takes the plain example's optional {@code Idempotency-Key} header; a retry answers the first
 * outcome again with {@code Idempotent-Replayed: true}. {@code X-Request-Id}, if sent, becomes the events'
 * correlation id.
 */
@RestController
class OrdersController {
    private final OrdersService service;
    private final OrderListTable orderList;
    private final CustomerTotalsTable customerTotals;

    OrdersController(OrdersService service, OrderListTable orderList, CustomerTotalsTable customerTotals) {
        this.service = service;
        this.orderList = orderList;
        this.customerTotals = customerTotals;
    }

    record PlaceBody(String customer) {}

    record LineBody(String sku, int quantity, BigDecimal unitPrice) {}

    record CancelBody(String reason) {}

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";
    static final String REQUEST_ID = "X-Request-Id";

    @PostMapping("/orders")
    ResponseEntity<Map<String, Object>> place(@RequestBody PlaceBody body,
            @RequestHeader(value = IDEMPOTENCY_KEY, required = false) String key,
            @RequestHeader(value = REQUEST_ID, required = false) String requestId) {
        Optional<String> idempotencyKey = key(key);
        String id = idempotencyKey.map(IdempotencyKeys::orderId).orElseGet(() -> UUID.randomUUID().toString());
        IdempotentOrderCommands.Outcome outcome = service.execute(new OrderCommand.PlaceOrder(id,
                required(body.customer(), "customer")), requestId(requestId), idempotencyKey);
        return answer(HttpStatus.CREATED, outcome).header("Location", "/orders/" + id)
                .body(Map.of("id", id, "version", outcome.result().version()));
    }

    @PostMapping("/orders/{id}/lines")
    ResponseEntity<Map<String, Object>> addLine(@PathVariable String id, @RequestBody LineBody body,
            @RequestHeader(value = IDEMPOTENCY_KEY, required = false) String key,
            @RequestHeader(value = REQUEST_ID, required = false) String requestId) {
        Optional<String> idempotencyKey = key(key);
        String lineId = idempotencyKey.map(IdempotencyKeys::lineId).orElseGet(() -> UUID.randomUUID().toString());
        IdempotentOrderCommands.Outcome outcome = service.execute(new OrderCommand.AddLine(id, lineId,
                required(body.sku(), "sku"), body.quantity(), required(body.unitPrice(), "unitPrice")),
                requestId(requestId), idempotencyKey);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orderId", id);
        out.put("lineId", lineId);
        out.put("version", outcome.result().version());
        return answer(HttpStatus.CREATED, outcome).header("Location", "/orders/" + id + "/lines/" + lineId)
                .body(out);
    }

    @DeleteMapping("/orders/{id}/lines/{lineId}")
    ResponseEntity<Map<String, Object>> removeLine(@PathVariable String id, @PathVariable String lineId,
            @RequestHeader(value = IDEMPOTENCY_KEY, required = false) String key,
            @RequestHeader(value = REQUEST_ID, required = false) String requestId) {
        return changed(new OrderCommand.RemoveLine(id, lineId), key, requestId);
    }

    @PostMapping("/orders/{id}/confirm")
    ResponseEntity<Map<String, Object>> confirm(@PathVariable String id,
            @RequestHeader(value = IDEMPOTENCY_KEY, required = false) String key,
            @RequestHeader(value = REQUEST_ID, required = false) String requestId) {
        return changed(new OrderCommand.ConfirmOrder(id), key, requestId);
    }

    @PostMapping("/orders/{id}/ship")
    ResponseEntity<Map<String, Object>> ship(@PathVariable String id,
            @RequestHeader(value = IDEMPOTENCY_KEY, required = false) String key,
            @RequestHeader(value = REQUEST_ID, required = false) String requestId) {
        return changed(new OrderCommand.ShipOrder(id), key, requestId);
    }

    @PostMapping("/orders/{id}/cancel")
    ResponseEntity<Map<String, Object>> cancel(@PathVariable String id, @RequestBody CancelBody body,
            @RequestHeader(value = IDEMPOTENCY_KEY, required = false) String key,
            @RequestHeader(value = REQUEST_ID, required = false) String requestId) {
        return changed(new OrderCommand.CancelOrder(id, required(body.reason(), "reason")), key, requestId);
    }

    @GetMapping("/orders/{id}")
    Map<String, Object> order(@PathVariable String id) {
        return service.order(id).map(order -> view(order.stream(), order.version(), order.state()))
                .orElseThrow(() -> new OrderNotFoundException(id));
    }

    /** The order's history: each event with its stored JSON payload, as the plain example answers it. */
    @GetMapping("/orders/{id}/events")
    List<Map<String, Object>> history(@PathVariable String id) {
        List<RecordedEvent> events = service.history(id);
        if (events.isEmpty()) {
            throw new OrderNotFoundException(id);
        }
        return events.stream().map(OrdersController::event).toList();
    }

    /** The order list (an asynchronous projection: it may lag the commands by a moment). */
    @GetMapping("/orders")
    List<Map<String, Object>> list(@RequestParam String customer) {
        return orderList.byCustomer(customer);
    }

    /** The customer's totals (kept inline, so they include every command answered so far). */
    @GetMapping("/customers/{customer}")
    Map<String, Object> customer(@PathVariable String customer) {
        CustomerTotals totals = customerTotals.find(customer)
                .orElseThrow(() -> new CustomerNotFoundException(customer));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("customer", totals.customer());
        out.put("orders", totals.orders());
        out.put("confirmed", totals.confirmed());
        out.put("shipped", totals.shipped());
        out.put("cancelled", totals.cancelled());
        out.put("confirmedValue", totals.confirmedValue());
        return out;
    }

    private ResponseEntity<Map<String, Object>> changed(OrderCommand command, String key, String requestId) {
        IdempotentOrderCommands.Outcome outcome = service.execute(command, requestId(requestId), key(key));
        CommandResult<OrderState, OrderEvent> result = outcome.result();
        return answer(HttpStatus.OK, outcome).body(view(result.stream(), result.version(), result.state()));
    }

    private static ResponseEntity.BodyBuilder answer(HttpStatus status, IdempotentOrderCommands.Outcome outcome) {
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(status);
        return outcome.replayed() ? answer.header(REPLAYED, "true") : answer;
    }

    /** The key if the client sent one; a key breaking the rules is refused before anything is done. */
    private static Optional<String> key(String key) {
        if (key == null) {
            return Optional.empty();
        }
        IdempotencyKeys.problem(key).ifPresent(problem -> {
            throw new InvalidIdempotencyKeyException(problem);
        });
        return Optional.of(key);
    }

    /** The client's request id if it is 1 to 100 printable ASCII characters, else a new one. */
    private static String requestId(String requestId) {
        if (requestId != null && !requestId.isEmpty() && requestId.length() <= 100
                && requestId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return requestId;
        }
        return UUID.randomUUID().toString();
    }

    private static Map<String, Object> view(StreamId stream, long version, OrderState state) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", stream.id());
        out.put("customer", state.customer());
        out.put("status", state.status().label());
        out.put("version", version);
        out.put("total", state.total());
        out.put("lines", state.lines().stream().map(OrdersController::line).toList());
        state.cancelReason().ifPresent(reason -> out.put("cancelReason", reason));
        return out;
    }

    private static Map<String, Object> event(RecordedEvent event) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventId", event.eventId().toString());
        out.put("type", event.type());
        out.put("version", event.streamVersion());
        out.put("position", event.position());
        out.put("recordedAt", event.recordedAt().toString());
        out.put("payload", new RawJson(event.payload()));
        if (!event.metadata().isEmpty()) {
            out.put("metadata", event.metadata().entries());
        }
        return out;
    }

    private static Map<String, Object> line(OrderLine line) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lineId", line.lineId());
        out.put("sku", line.sku());
        out.put("quantity", line.quantity());
        out.put("unitPrice", line.unitPrice());
        out.put("amount", line.amount());
        return out;
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new MissingFieldException(field);
        }
        return value;
    }
}
