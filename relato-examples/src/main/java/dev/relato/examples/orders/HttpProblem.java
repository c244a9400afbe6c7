package dev.relato.examples.orders;

import dev.relato.StoreUnavailableException;
import dev.relato.WrongExpectedVersionException;
import dev.relato.projection.ProjectionState;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request the HTTP API answers with an error status and a JSON body {@code {error, message, requestId}}.
 * Thrown by request parsing and the routes, and turned into the answer by the server ({@link OrdersHttpApi}, or
 * the Spring example's controller). Immutable and thread-safe.
 */
public final class HttpProblem extends RuntimeException {
    private final int status;
    private final String error;
    private final Map<String, String> headers;

    public HttpProblem(int status, String error, String message) {
        this(status, error, message, Map.of());
    }

    HttpProblem(int status, String error, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.headers = Map.copyOf(headers);
    }

    /**
     * The answer to an exception the service throws for a reason the client can act on: a rejected command, a reused
     * idempotency key, a projection not stopped, an order that kept changing, an unavailable store; empty for any
     * other exception (an internal error).
     */
    public static Optional<HttpProblem> of(RuntimeException e) {
        if (e instanceof HttpProblem problem) {
            return Optional.of(problem);
        }
        if (e instanceof OrderRejectedException rejected) {
            int status = switch (rejected.reason().kind()) {
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case INVALID -> 422;
            };
            return Optional.of(new HttpProblem(status, rejected.reason().code(), e.getMessage()));
        }
        if (e instanceof IdempotencyKeyReusedException) {
            return Optional.of(new HttpProblem(422, "idempotency_key_reused", e.getMessage()));
        }
        if (e instanceof ManagedProjection.NotStoppedException) {
            return Optional.of(new HttpProblem(409, "projection_not_failed", e.getMessage()));
        }
        if (e instanceof WrongExpectedVersionException) {
            return Optional.of(new HttpProblem(409, "concurrent_update", "the order kept changing while this request"
                    + " was applied; nothing was changed, try again"));
        }
        if (e instanceof StoreUnavailableException) {
            return Optional.of(new HttpProblem(503, "store_unavailable", "the event store is unavailable; try again"
                    + " later"));
        }
        return Optional.empty();
    }

    /** The answer to an unexpected failure: the log has it under the request id. */
    public static HttpProblem internalError(String requestId) {
        return new HttpProblem(500, "internal_error", "the request failed unexpectedly; the log has the details under"
                + " request id " + requestId);
    }

    public static HttpProblem orderNotFound(String orderId) {
        return new HttpProblem(404, "order_not_found", "order " + orderId + " does not exist");
    }

    /** A payment for an order in {@code status}, not confirmed. */
    public static HttpProblem orderNotConfirmed(String orderId, OrderStatus status) {
        return new HttpProblem(409, "order_not_confirmed", "order " + orderId + " is " + status.label()
                + "; only a confirmed order can be paid");
    }

    /** A second payment for an order; {@code message} says why it was refused. */
    public static HttpProblem orderAlreadyPaid(String message) {
        return new HttpProblem(409, "order_already_paid", message);
    }

    public static HttpProblem versionNotFound(String orderId, long version) {
        return new HttpProblem(404, "version_not_found", "order " + orderId + " has no version " + version);
    }

    public static HttpProblem lineNotFound(String orderId, String lineId) {
        return new HttpProblem(404, "line_not_found", "order " + orderId + " has no line " + lineId);
    }

    public static HttpProblem customerNotFound(String customer) {
        return new HttpProblem(404, "customer_not_found", "customer '" + customer + "' has placed no order");
    }

    /**
     * A request body over {@code maxBytes}; with {@code close}, the answer asks for the connection to be closed
     * (the rest of the body is not read).
     */
    public static HttpProblem bodyTooLarge(int maxBytes, boolean close) {
        return new HttpProblem(413, "body_too_large", "request bodies are limited to " + maxBytes + " bytes",
                close ? Map.of("Connection", "close") : Map.of());
    }

    public static HttpProblem projectionNotFound(String name) {
        return new HttpProblem(404, "projection_not_found", "there is no projection '" + name + "'");
    }

    public static HttpProblem deadLetterNotFound(String projection, long position) {
        return new HttpProblem(404, "dead_letter_not_found", "projection '" + projection + "' has no dead letter at"
                + " position " + position);
    }

    /** An operation for a failed projection ({@code action}: "resume", "skip its event") asked of one in {@code state}. */
    public static HttpProblem projectionNotFailed(String name, ProjectionState state, String action) {
        return new HttpProblem(409, "projection_not_failed", "projection '" + name + "' is " + state.name()
                .toLowerCase(Locale.ROOT) + ", not failed; only a failed projection can " + action);
    }

    public static HttpProblem bothVersionAndAt() {
        return badRequest("give either 'version' or 'at', not both");
    }

    public static HttpProblem methodNotAllowed(String method, String allowed) {
        return new HttpProblem(405, "method_not_allowed", method + " is not allowed here; use " + allowed,
                Map.of("Allow", allowed));
    }

    public static HttpProblem badRequest(String message) {
        return new HttpProblem(400, "bad_request", message);
    }

    public static HttpProblem notFound(String message) {
        return new HttpProblem(404, "not_found", message);
    }

    /** The error code of a status the server itself answers with (a malformed request line, a timeout…). */
    public static String codeOf(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 413 -> "body_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal_error" : "http_" + status;
        };
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** Response headers the problem calls for, such as {@code Allow}. */
    public Map<String, String> headers() {
        return headers;
    }
}
