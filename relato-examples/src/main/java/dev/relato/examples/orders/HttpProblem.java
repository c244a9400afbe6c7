package dev.relato.examples.orders;

import java.util.Map;

/**
 * A request the HTTP API answers with an error status and a JSON body {@code {error, message}}. Thrown by
 * request parsing and caught by the API's dispatcher.
 */
final class HttpProblem extends RuntimeException {
    private final int status;
    private final String error;
    private final Map<String, String> headers;

    HttpProblem(int status, String error, String message) {
        this(status, error, message, Map.of());
    }

    private HttpProblem(int status, String error, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.headers = headers;
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
