package dev.relato.examples.spring;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.relato.StoreUnavailableException;
import dev.relato.examples.orders.HttpProblem;
import dev.relato.examples.orders.OrdersJson;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Errors as the plain example answers them: a status, {@code {error, message, requestId}} and the headers the problem
 * calls for ({@code Allow}, {@code Connection: close}). The service's own exceptions map as the plain example maps
 * them ({@link HttpProblem#of}); an unknown path is 404 {@code not_found}, a wrong method 405
 * {@code method_not_allowed}, an exception of Spring's that carries a status (such as a bad actuator request) that
 * status with its code, anything else 500 {@code internal_error}, logged with the request id. Errors the
 * servlet container answers itself (a malformed request) reach {@code /error} and are answered the same way.
 * Thread-safe.
 */
@RestControllerAdvice
@RestController
class OrdersErrors implements ErrorController {
    private static final Logger LOG = LoggerFactory.getLogger(OrdersErrors.class);
    private static final MediaType JSON_TYPE = new MediaType("application", "json", StandardCharsets.UTF_8);
    /** The order the plain example names allowed methods in. */
    private static final List<HttpMethod> METHOD_ORDER = List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE);
    private final OrdersJson json = new OrdersJson();

    @ExceptionHandler({NoHandlerFoundException.class, NoResourceFoundException.class})
    ResponseEntity<byte[]> noResource(HttpServletRequest request) {
        return problem(HttpProblem.notFound("no resource at " + request.getRequestURI()), request);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<byte[]> methodNotAllowed(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        Set<HttpMethod> supported = e.getSupportedHttpMethods() == null ? Set.of() : e.getSupportedHttpMethods();
        List<String> allowed = new ArrayList<>();
        for (HttpMethod method : METHOD_ORDER) {
            if (supported.contains(method)) {
                allowed.add(method.name());
            }
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        return problem(HttpProblem.methodNotAllowed(request.getMethod(), String.join(", ", allowed)), request);
    }

    @ExceptionHandler(StoreUnavailableException.class)
    ResponseEntity<byte[]> unavailable(StoreUnavailableException e, HttpServletRequest request) {
        LOG.warn("request {}: {} {}: store unavailable", RequestIds.of(request), request.getMethod(),
                request.getRequestURI(), e);
        return problem(HttpProblem.of(e).orElseThrow(), request);
    }

    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<byte[]> failed(RuntimeException e, HttpServletRequest request) {
        if (e instanceof ErrorResponse answered) {
            int status = answered.getStatusCode().value();
            String detail = answered.getBody().getDetail();
            return problem(new HttpProblem(status, HttpProblem.codeOf(status), detail == null ? e.getMessage() : detail),
                    request);
        }
        return HttpProblem.of(e).map(problem -> problem(problem, request)).orElseGet(() -> {
            LOG.error("request {}: {} {} failed", RequestIds.of(request), request.getMethod(), request.getRequestURI(),
                    e);
            return problem(HttpProblem.internalError(RequestIds.of(request)), request);
        });
    }

    /** What the servlet container answers itself, as a problem with the plain example's code for the status. */
    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<byte[]> containerError(HttpServletRequest request) {
        int status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code ? code : 500;
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        return problem(new HttpProblem(status, HttpProblem.codeOf(status),
                message instanceof String text && !text.isBlank() ? text : "the request could not be handled"), request);
    }

    private ResponseEntity<byte[]> problem(HttpProblem problem, HttpServletRequest request) {
        String requestId = RequestIds.of(request);
        if (problem.status() >= 500) {
            LOG.error("request {}: {} {} answered {} {}: {}", requestId, request.getMethod(), request.getRequestURI(),
                    problem.status(), problem.error(), problem.getMessage());
        }
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(problem.status()).contentType(JSON_TYPE);
        problem.headers().forEach((name, value) -> answer.header(name, value));
        try {
            return answer.body(json.write(json.problem(problem.error(), problem.getMessage(), requestId)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a plain JSON answer could not be written", e);
        }
    }
}
