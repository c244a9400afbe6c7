package dev.relato.examples.orders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.aggregate.Aggregate;
import dev.relato.aggregate.CommandResult;
import dev.relato.projection.DeadLetter;
import dev.relato.projection.ProjectionStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.MatchedResource;
import org.eclipse.jetty.http.pathmap.PathMappings;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-over-HTTP face of {@link OrdersService}, as one Jetty handler. Paths are matched by Jetty's URI
 * templates ({@link UriTemplatePathSpec}) on the path Jetty has already checked and percent-decoded (malformed
 * or ambiguous encodings never get here: Jetty answers 400, through {@link JsonErrorHandler}); query strings are
 * decoded by Jetty too. {@code HEAD} is answered wherever {@code GET} is.
 *
 * <pre>
 * POST   /orders                                 {customer, customerName?}   201 {id, version}
 * GET    /orders?customer=&amp;status=&amp;limit=&amp;after=   the order list, newest first; Link rel="next"
 * GET    /orders/{id}[?version=N|?at=INSTANT]     state, now, after event N, or as it stood then
 * GET    /orders/{id}/events                      the order's history
 * POST   /orders/{id}/lines                       {sku, quantity, unitPrice}  201 {orderId, lineId, version}
 * GET    /orders/{id}/lines/{lineId}              one line
 * DELETE /orders/{id}/lines/{lineId}              200 the order
 * POST   /orders/{id}/confirm | /ship             200 the order
 * POST   /orders/{id}/cancel                      {reason}                    200 the order
 * POST   /orders/{id}/payment                     {amount}                    202 {orderId, amount}
 * POST   /inventory/{sku}                         {quantity}                  200 {sku, available}
 * GET    /inventory/{sku}                         the stock available to reserve
 * GET    /customers/{customer}                    orders and value per customer
 * DELETE /customers/{customer}/personal-data      forgets the customer's name in every order   204
 * GET    /projections[/{name}]                    state, position, head, lag in events
 * GET    /projections/{name}/dead-letters         the events a projection skipped
 * POST   /projections/{name}/skip | /resume       out of a stop
 * POST   /projections/{name}/dead-letters/{position}/replay
 * GET    /health                                  200 or 503 with the failing parts
 * GET    /metrics                                 Relato's meters, Prometheus text format
 * GET    /openapi.json                            this API as OpenAPI 3
 * </pre>
 *
 * <p>Every answer but {@code GET /metrics} is JSON, and every answer carries an {@code X-Request-Id} (the
 * client's, if it sent 1 to 100 printable ASCII characters, else a new UUID); errors are
 * {@code {error, message, requestId}}, and every 5xx is logged with the request id. Commands accept an
 * {@code Idempotency-Key} ({@link IdempotencyKeys}). Request bodies are read by {@link BodyReader}.
 * {@code GET /orders/{id}} (now) adds the order's {@code fulfilment} ({@link OrdersFulfilment}) once it is confirmed.
 * Thread-safe: requests are handled concurrently.
 */
final class OrdersHttpApi extends Handler.Abstract {
    static final int MAX_BODY_BYTES = OrdersRequests.MAX_BODY_BYTES;
    static final String REQUEST_ID = OrdersRequests.REQUEST_ID;
    static final String IDEMPOTENCY_KEY = OrdersRequests.IDEMPOTENCY_KEY;
    static final String REPLAYED = OrdersRequests.REPLAYED;
    static final int MAX_PATH_TEXT = OrdersRequests.MAX_PATH_TEXT;
    private static final Logger LOG = LoggerFactory.getLogger(OrdersHttpApi.class);
    private static final String JSON_TYPE = "application/json; charset=utf-8";
    /** The Prometheus text exposition format, version 0.0.4, which {@link PrometheusMeterRegistry#scrape()} writes. */
    private static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final OrdersService service;
    private final OrdersFulfilment fulfilment;
    private final Duration bodyTimeout;
    private final OrdersJson json = new OrdersJson();
    private final PathMappings<Route> routes = new PathMappings<>();
    private final byte[] openApi;
    private final PrometheusMeterRegistry registry;

    /**
     * @param bodyTimeout how long a request body may take to arrive
     * @param registry    the meters {@code GET /metrics} shows
     */
    OrdersHttpApi(OrdersService service, OrdersFulfilment fulfilment, Duration bodyTimeout,
                  PrometheusMeterRegistry registry) {
        super(InvocationType.BLOCKING);
        this.service = Objects.requireNonNull(service, "service");
        this.fulfilment = Objects.requireNonNull(fulfilment, "fulfilment");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.bodyTimeout = Objects.requireNonNull(bodyTimeout, "bodyTimeout");
        this.openApi = resource("openapi.json");
        get("/orders", this::list);
        postJson("/orders", call -> placed(service.place(call.text("customer"),
                OrdersRequests.optionalText(call.body(), "customerName"), call.origin())));
        get("/orders/{id}", this::order);
        get("/orders/{id}/events", this::history);
        postJson("/orders/{id}/lines", this::addLine);
        get("/orders/{id}/lines/{lineId}", this::line);
        delete("/orders/{id}/lines/{lineId}", call -> changed(service.removeLine(call.orderId(),
                call.pathText("lineId", "line id"), call.origin())));
        post("/orders/{id}/confirm", call -> changed(service.confirm(call.orderId(), call.origin())));
        post("/orders/{id}/ship", call -> changed(service.ship(call.orderId(), call.origin())));
        postJson("/orders/{id}/cancel", call -> changed(service.cancel(call.orderId(), call.text("reason"),
                call.origin())));
        postJson("/orders/{id}/payment", this::pay);
        postJson("/inventory/{sku}", call -> stock(call.sku(), fulfilment.restock(call.sku(),
                OrdersRequests.positiveInteger(call.body(), "quantity"))));
        get("/inventory/{sku}", call -> stock(call.sku(), fulfilment.available(call.sku())));
        get("/customers/{customer}", this::customer);
        delete("/customers/{customer}/personal-data", call -> {
            service.forgetCustomer(call.pathText("customer", "customer"));
            return new Reply(204, null, new byte[0], Map.of(), null);
        });
        get("/projections", call -> ok(projections()));
        get("/projections/{name}", call -> ok(json.projection(projection(call).report())));
        get("/projections/{name}/dead-letters", this::deadLetters);
        post("/projections/{name}/skip", this::skip);
        post("/projections/{name}/resume", this::resume);
        post("/projections/{name}/dead-letters/{position}/replay", this::replay);
        get("/health", call -> health());
        get("/metrics", call -> new Reply(200, null, registry.scrape().getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", PROMETHEUS_TYPE), null));
        get("/openapi.json", call -> new Reply(200, null, openApi, Map.of(), null));
    }

    /** Every path template and its methods, for documentation checks. */
    Map<String, Set<String>> routes() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        routes.getMappings().forEach(m -> out.put(m.getPathSpec().getDeclaration(), m.getResource().methods()));
        return out;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String requestId = requestId(request);
        Exchange exchange = new Exchange(request, response, callback, requestId);
        try {
            String path = Request.getPathInContext(request);
            MatchedResource<Route> matched = routes.getMatched(path);
            if (matched == null) {
                throw HttpProblem.notFound("no resource at " + path);
            }
            Route route = matched.getResource();
            Endpoint endpoint = route.endpoint(request.getMethod());
            Map<String, String> params = ((UriTemplatePathSpec) matched.getPathSpec()).getPathParams(path);
            if (endpoint.readsBody()) {
                Context context = Context.current();
                BodyReader.read(request, MAX_BODY_BYTES, bodyTimeout, body -> {
                    try (Scope ignored = context.makeCurrent()) {
                        exchange.answer(endpoint, new Call(exchange, params, Optional.of(body)));
                    }
                }, exchange::problem);
            } else {
                exchange.answer(endpoint, new Call(exchange, params, Optional.empty()));
            }
        } catch (HttpProblem e) {
            exchange.problem(e);
        }
        return true;
    }

    // ---- routes

    private Reply list(Call call) {
        Fields query = call.query();
        OrderQuery wanted = OrdersRequests.listQuery(name -> call.param(query, name));
        List<OrderSummary> rows = service.list(wanted);
        Map<String, String> headers = OrdersRequests.nextLink(wanted, rows).map(link -> Map.of("Link", link))
                .orElse(Map.of());
        return new Reply(200, json.list(rows), null, headers, null);
    }

    private Reply order(Call call) {
        String orderId = call.orderId();
        Fields query = call.query();
        Optional<String> version = call.param(query, "version");
        Optional<String> at = call.param(query, "at");
        if (version.isPresent() && at.isPresent()) {
            throw HttpProblem.bothVersionAndAt();
        }
        if (version.isPresent()) {
            long wanted = positiveLong(version.get(), "version");
            Aggregate<OrderState> order = service.order(orderId, wanted).orElseThrow(() -> {
                if (service.order(orderId).isEmpty()) {
                    return unknownOrder(orderId);
                }
                return HttpProblem.versionNotFound(orderId, wanted);
            });
            return ok(json.order(order.stream(), order.version(), order.state()));
        }
        Optional<Aggregate<OrderState>> order = at.isPresent()
                ? service.orderAt(orderId, instant(at.get(), "at")) : service.order(orderId);
        if (at.isPresent()) {
            return order.map(a -> ok(json.order(a.stream(), a.version(), a.state())))
                    .orElseThrow(() -> unknownOrder(orderId));
        }
        ObjectNode out = order.map(a -> json.order(a.stream(), a.version(), a.state()))
                .orElseThrow(() -> unknownOrder(orderId));
        fulfilment.state(orderId).ifPresent(state -> out.putObject("fulfilment").put("state", state));
        return ok(out);
    }

    private Reply pay(Call call) {
        String orderId = call.orderId();
        BigDecimal amount = OrdersRequests.amount(call.body());
        Aggregate<OrderState> order = service.order(orderId).orElseThrow(() -> unknownOrder(orderId));
        if (order.state().status() != OrderStatus.CONFIRMED) {
            throw HttpProblem.orderNotConfirmed(orderId, order.state().status());
        }
        try {
            fulfilment.pay(orderId, amount);
        } catch (IllegalStateException e) {
            throw HttpProblem.orderAlreadyPaid(e.getMessage());
        }
        return new Reply(202, json.object().put("orderId", orderId).put("amount", amount), null, Map.of(), null);
    }

    private Reply stock(String sku, int available) {
        return ok(json.object().put("sku", sku).put("available", available));
    }

    private Reply history(Call call) {
        String orderId = call.orderId();
        List<RecordedEvent> events = service.history(orderId);
        if (events.isEmpty()) {
            throw unknownOrder(orderId);
        }
        ArrayNode out = json.array();
        events.forEach(e -> out.add(json.event(e)));
        return ok(out);
    }

    private Reply addLine(Call call) {
        String orderId = call.orderId();
        ObjectNode body = call.body();
        OrdersService.Outcome outcome = service.addLine(orderId, text(body, "sku"),
                OrdersRequests.integer(body, "quantity"), OrdersRequests.decimal(body, "unitPrice"), call.origin());
        CommandResult<OrderState, OrderEvent> result = outcome.result();
        String lineId = OrdersRequests.addedLineId(result.events());
        ObjectNode out = json.object().put("orderId", orderId).put("lineId", lineId).put("version", result.version());
        return committed(201, out, outcome, Map.of("Location", "/orders/" + encode(orderId) + "/lines/"
                + encode(lineId)));
    }

    private Reply line(Call call) {
        String orderId = call.orderId();
        String lineId = call.pathText("lineId", "line id");
        Aggregate<OrderState> order = service.order(orderId).orElseThrow(() -> unknownOrder(orderId));
        return order.state().line(lineId).map(l -> ok(json.line(l))).orElseThrow(() -> HttpProblem.lineNotFound(
                orderId, lineId));
    }

    private Reply customer(Call call) {
        String customer = call.pathText("customer", "customer");
        CustomerTotals totals = service.customer(customer).orElseThrow(() -> HttpProblem.customerNotFound(
                customer));
        return ok(json.customer(totals));
    }

    private ArrayNode projections() {
        ArrayNode out = json.array();
        service.projections().forEach(p -> out.add(json.projection(p.report())));
        return out;
    }

    private ManagedProjection<?> projection(Call call) {
        String name = call.pathText("name", "projection name");
        return service.projections().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> HttpProblem.projectionNotFound(name));
    }

    private Reply deadLetters(Call call) {
        ArrayNode out = json.array();
        projection(call).deadLetters().forEach(letter -> out.add(json.deadLetter(letter)));
        return ok(out);
    }

    private Reply skip(Call call) {
        ManagedProjection<?> projection = projection(call);
        DeadLetter skipped = projection.skip();
        ObjectNode out = json.projection(projection.report());
        out.set("skipped", json.deadLetter(skipped));
        return ok(out);
    }

    private Reply resume(Call call) {
        ManagedProjection<?> projection = projection(call);
        projection.resume();
        return ok(json.projection(projection.report()));
    }

    private Reply replay(Call call) {
        ManagedProjection<?> projection = projection(call);
        long position = positiveLong(call.pathText("position", "position"), "position");
        boolean handled = projection.replay(position).orElseThrow(() -> HttpProblem.deadLetterNotFound(
                projection.name(), position));
        return ok(json.object().put("position", position).put("replayed", handled));
    }

    private Reply health() {
        List<ProjectionStatus> statuses = service.projections().stream().map(p -> p.runner().status()).toList();
        ObjectNode out = json.health(service.storeHealth(), statuses);
        return new Reply(OrdersJson.isUp(out) ? 200 : 503, out, null, Map.of(), null);
    }

    // ---- answers

    private static Reply ok(JsonNode body) {
        return new Reply(200, body, null, Map.of(), null);
    }

    private Reply placed(OrdersService.Outcome outcome) {
        CommandResult<OrderState, OrderEvent> result = outcome.result();
        String id = result.stream().id();
        ObjectNode out = json.object().put("id", id).put("version", result.version());
        return committed(201, out, outcome, Map.of("Location", "/orders/" + encode(id)));
    }

    private Reply changed(OrdersService.Outcome outcome) {
        CommandResult<OrderState, OrderEvent> result = outcome.result();
        return committed(200, json.order(result.stream(), result.version(), result.state()), outcome, Map.of());
    }

    /**
     * The answer to a command whose events are stored: if the full body cannot be written, the answer is still a
     * success, with just the order's id and version.
     */
    private Reply committed(int status, ObjectNode body, OrdersService.Outcome outcome, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (outcome.replayed()) {
            all.put(REPLAYED, "true");
        }
        ObjectNode minimal = json.object().put("id", outcome.result().stream().id())
                .put("version", outcome.result().version());
        return new Reply(status, body, null, all, minimal);
    }

    private static HttpProblem unknownOrder(String orderId) {
        return HttpProblem.orderNotFound(orderId);
    }

    // ---- request values

    private static String text(ObjectNode body, String field) {
        return OrdersRequests.text(body, field);
    }

    private static long positiveLong(String value, String name) {
        return OrdersRequests.positiveLong(value, name);
    }

    private static Instant instant(String value, String name) {
        return OrdersRequests.instant(value, name);
    }

    private static String encode(String value) {
        return OrdersRequests.encode(value);
    }

    /**
     * The request's id: the client's {@value #REQUEST_ID} header if it is 1 to 100 printable ASCII characters,
     * otherwise a new UUID.
     */
    static String requestId(Request request) {
        return OrdersRequests.requestId(Optional.ofNullable(request.getHeaders().get(REQUEST_ID)));
    }

    private static byte[] resource(String name) {
        try (InputStream in = OrdersHttpApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- routing

    private void get(String template, Action action) {
        add(template, "GET", new Endpoint(false, action));
    }

    private void post(String template, Action action) {
        add(template, "POST", new Endpoint(false, action));
    }

    /** A POST whose JSON body is read (without holding a thread) before the action runs. */
    private void postJson(String template, Action action) {
        add(template, "POST", new Endpoint(true, action));
    }

    private void delete(String template, Action action) {
        add(template, "DELETE", new Endpoint(false, action));
    }

    private void add(String template, String method, Endpoint endpoint) {
        UriTemplatePathSpec spec = new UriTemplatePathSpec(template);
        Route route = routes.get(spec);
        if (route == null) {
            route = new Route(new LinkedHashMap<>());
            routes.put(spec, route);
        }
        route.byMethod().put(method, endpoint);
    }

    @FunctionalInterface
    private interface Action {
        Reply handle(Call call);
    }

    private record Endpoint(boolean readsBody, Action action) {
    }

    /** The endpoints of one path template, by method; HEAD is served by GET. */
    private record Route(Map<String, Endpoint> byMethod) {
        Endpoint endpoint(String method) {
            Endpoint endpoint = byMethod.get(method.equals("HEAD") ? "GET" : method);
            if (endpoint == null) {
                throw HttpProblem.methodNotAllowed(method, String.join(", ", methods()));
            }
            return endpoint;
        }

        Set<String> methods() {
            Set<String> methods = new LinkedHashSet<>(byMethod.keySet());
            if (methods.contains("GET")) {
                methods.add("HEAD");
            }
            return methods;
        }
    }

    /**
     * An answer: a JSON body (or raw bytes), extra headers, and for a command whose events are stored a minimal
     * body to fall back on if the full one cannot be written.
     */
    private record Reply(int status, JsonNode body, byte[] raw, Map<String, String> headers, JsonNode fallback) {
    }

    /** What a route is given: path parameters, the query, the body if the route reads one, the origin. */
    private final class Call {
        private final Exchange exchange;
        private final Map<String, String> params;
        private final Optional<byte[]> rawBody;

        Call(Exchange exchange, Map<String, String> params, Optional<byte[]> rawBody) {
            this.exchange = exchange;
            this.params = params;
            this.rawBody = rawBody;
        }

        /** A path parameter, decoded and checked. */
        String pathText(String name, String what) {
            return OrdersRequests.checkedText(params.get(name), what);
        }

        String orderId() {
            return pathText("id", "order id");
        }

        String sku() {
            return pathText("sku", "SKU");
        }

        Fields query() {
            try {
                return Request.extractQueryParameters(exchange.request);
            } catch (RuntimeException e) {
                throw HttpProblem.badRequest("malformed query string: " + e.getMessage());
            }
        }

        /** A query parameter given at most once. */
        Optional<String> param(Fields query, String name) {
            return OrdersRequests.single(name, query.getValues(name));
        }

        /** The body as a JSON object. */
        ObjectNode body() {
            return OrdersRequests.body(json, rawBody.orElse(new byte[0]));
        }

        /** A text field of the body. */
        String text(String field) {
            return OrdersHttpApi.text(body(), field);
        }

        OrdersService.Origin origin() {
            return OrdersRequests.origin(exchange.requestId,
                    Optional.ofNullable(exchange.request.getHeaders().get(IDEMPOTENCY_KEY)));
        }
    }

    /** One request and its response: where answers are written, once. */
    private final class Exchange {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final String requestId;

        Exchange(Request request, Response response, Callback callback, String requestId) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.requestId = requestId;
            response.getHeaders().put(REQUEST_ID, requestId);
        }

        /** Runs the endpoint and writes its answer, or the problem it ran into. */
        void answer(Endpoint endpoint, Call call) {
            Reply reply;
            try {
                reply = endpoint.action().handle(call);
            } catch (StoreUnavailableException e) {
                LOG.warn("request {}: {} {}: store unavailable", requestId, request.getMethod(), path(), e);
                problem(HttpProblem.of(e).orElseThrow());
                return;
            } catch (RuntimeException e) {
                HttpProblem.of(e).ifPresentOrElse(this::problem, () -> failed(e));
                return;
            }
            write(reply);
        }

        void problem(HttpProblem problem) {
            if (problem.status() >= 500) {
                LOG.error("request {}: {} {} answered {} {}: {}", requestId, request.getMethod(), path(),
                        problem.status(), problem.error(), problem.getMessage());
            }
            send(problem.status(), bytes(json.problem(problem.error(), problem.getMessage(), requestId)),
                    problem.headers());
        }

        private void failed(RuntimeException e) {
            LOG.error("request {}: {} {} failed", requestId, request.getMethod(), path(), e);
            HttpProblem problem = HttpProblem.internalError(requestId);
            send(problem.status(), bytes(json.problem(problem.error(), problem.getMessage(), requestId)), Map.of());
        }

        private void write(Reply reply) {
            byte[] bytes = reply.raw();
            if (bytes == null) {
                try {
                    bytes = json.write(reply.body());
                } catch (JsonProcessingException | RuntimeException e) {
                    if (reply.fallback() == null) {
                        failed(new IllegalStateException("the answer could not be written as JSON", e));
                        return;
                    }
                    LOG.warn("request {}: the command is stored, but its full answer could not be written; answering"
                            + " with the order's id and version", requestId, e);
                    bytes = bytes(reply.fallback());
                }
            }
            send(reply.status(), bytes, reply.headers());
        }

        private byte[] bytes(JsonNode node) {
            try {
                return json.write(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a plain JSON answer could not be written", e);
            }
        }

        private void send(int status, byte[] bytes, Map<String, String> headers) {
            response.setStatus(status);
            if (status != 204) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON_TYPE);
            }
            headers.forEach(response.getHeaders()::put);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }

        private String path() {
            return request.getHttpURI().getPath();
        }
    }
}
