package dev.relato.examples.orders;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to every error Jetty produces itself, before or around the API's handler: a request line or header
 * it cannot parse, malformed or ambiguous percent-encoding ({@code /orders/%zz}, {@code //orders},
 * {@code %2F}), headers too large, a handler failure. A request line without a known HTTP version, which Jetty
 * calls 505, is a malformed request here: 400. Always {@code {error, message, requestId}} as JSON, for
 * every method, never an HTML page; 5xx are logged with the request id. Thread-safe.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);
    private final OrdersJson json = new OrdersJson();

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String message = (String) request.getAttribute(ERROR_MESSAGE);
        Throwable cause = (Throwable) request.getAttribute(ERROR_EXCEPTION);
        if (cause instanceof HttpException http) {
            status = http.getCode();
            if (message == null) {
                message = http.getReason();
            }
        }
        if (status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            // what Jetty says of a request line that does not end in HTTP/1.x: a malformed request
            status = HttpStatus.BAD_REQUEST_400;
            message = "the request line must be METHOD TARGET HTTP/1.1 (" + message + ")";
        }
        if (status < 400) {
            status = 500;
        }
        if (message == null || message.isBlank()) {
            message = HttpStatus.getMessage(status);
        }
        String requestId = response.getHeaders().get(OrdersHttpApi.REQUEST_ID);
        if (requestId == null) {
            requestId = OrdersHttpApi.requestId(request);
            response.getHeaders().put(OrdersHttpApi.REQUEST_ID, requestId);
        }
        if (status >= 500) {
            LOG.error("request {}: {} {} answered {}: {}", requestId, request.getMethod(), request.getHttpURI(), status,
                    message, cause);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (HttpStatus.hasNoBody(status)) {
            callback.succeeded();
            return true;
        }
        byte[] body;
        try {
            body = json.write(json.problem(HttpProblem.codeOf(status), message, requestId));
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return true;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
