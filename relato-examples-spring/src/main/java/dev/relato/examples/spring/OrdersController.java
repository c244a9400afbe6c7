package dev.relato.examples.spring;

import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.aggregate.CommandResult;
import dev.relato.examples.orders.OrderCommand;
import dev.relato.examples.orders.OrderEvent;
import dev.relato.examples.orders.OrderLine;
import dev.relato.examples.orders.OrderState;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The Orders API over HTTP, with the paths and JSON of the plain example's core endpoints. */
@RestController
class OrdersController {
    private final OrdersService service;
    private final OrderListTable orderList;

    OrdersController(OrdersService service, OrderListTable orderList) {
        this.service = service;
        this.orderList = orderList;
    }

    record PlaceBody(String customer) {}

    record LineBody(String sku, int quantity, BigDecimal unitPrice) {}

    record CancelBody(String reason) {}

    @PostMapping("/orders")
    ResponseEntity<Map<String, Object>> place(@RequestBody PlaceBody body) {
        String id = UUID.randomUUID().toString();
        CommandResult<OrderState, OrderEvent> result = service.place(new OrderCommand.PlaceOrder(id,
                required(body.customer(), "customer")));
        return ResponseEntity.status(HttpStatus.CREATED).header("Location", "/orders/" + id)
                .body(Map.of("id", id, "version", result.version()));
    }

    @PostMapping("/orders/{id}/lines")
    ResponseEntity<Map<String, Object>> addLine(@PathVariable String id, @RequestBody LineBody body) {
        String lineId = UUID.randomUUID().toString();
        CommandResult<OrderState, OrderEvent> result = service.handle(new OrderCommand.AddLine(id, lineId,
                required(body.sku(), "sku"), body.quantity(), required(body.unitPrice(), "unitPrice")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orderId", id);
        out.put("lineId", lineId);
        out.put("version", result.version());
        return ResponseEntity.status(HttpStatus.CREATED).header("Location", "/orders/" + id + "/lines/" + lineId)
                .body(out);
    }

    @DeleteMapping("/orders/{id}/lines/{lineId}")
    Map<String, Object> removeLine(@PathVariable String id, @PathVariable String lineId) {
        return view(service.handle(new OrderCommand.RemoveLine(id, lineId)));
    }

    @PostMapping("/orders/{id}/confirm")
    Map<String, Object> confirm(@PathVariable String id) {
        return view(service.handle(new OrderCommand.ConfirmOrder(id)));
    }

    @PostMapping("/orders/{id}/ship")
    Map<String, Object> ship(@PathVariable String id) {
        return view(service.handle(new OrderCommand.ShipOrder(id)));
    }

    @PostMapping("/orders/{id}/cancel")
    Map<String, Object> cancel(@PathVariable String id, @RequestBody CancelBody body) {
        return view(service.handle(new OrderCommand.CancelOrder(id, required(body.reason(), "reason"))));
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

    private static Map<String, Object> view(CommandResult<OrderState, OrderEvent> result) {
        return view(result.stream(), result.version(), result.state());
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
