package dev.relato.examples.orders;

import java.util.Map;

/**
 * A request the HTTP API answers with an error status and a JSON body {@code {error, message, requestId}}.
 * Thrown by request parsing and the routes, and turned into the answer by {@link OrdersHttpApi}.
 */
final class HttpProblem extends RuntimeException {
    private final int status;
    private final String error;
    private final Map<String, String> headers;

    HttpProblem(int status, String error, String message) {
        this(status, error, message, Map.of());
    }

    HttpProblem(int status, String error, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.headers = Map.copyOf(headers);
    }

    static HttpProblem methodNotAllowed(String method, String allowed) {
        return new HttpProblem(405, "method_not_allowed", method + " is not allowed here; use " + allowed,
                Map.of("Allow", allowed));
    }

    static HttpProblem badRequest(String message) {
        return new HttpProblem(400, "bad_request", message);
    }

    static HttpProblem notFound(String message) {
        return new HttpProblem(404, "not_found", message);
    }

    /** The error code of a status the server itself answers with (a malformed request line, a timeout…). */
    static String codeOf(int status) {
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

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    /** Response headers the problem calls for, such as {@code Allow}. */
    Map<String, String> headers() {
        return headers;
    }
}
