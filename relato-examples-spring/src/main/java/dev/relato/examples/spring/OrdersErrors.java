package dev.relato.examples.spring;

import dev.relato.StoreUnavailableException;
import dev.relato.WrongExpectedVersionException;
import dev.relato.examples.orders.IdempotencyKeyReusedException;
import dev.relato.examples.orders.OrderRejectedException;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Errors as the plain example answers them: a status and {@code {error, message}}. */
@RestControllerAdvice
class OrdersErrors {
    @ExceptionHandler(OrderRejectedException.class)
    ResponseEntity<Map<String, String>> rejected(OrderRejectedException e) {
        HttpStatus status = switch (e.reason().kind()) {
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case INVALID -> HttpStatus.UNPROCESSABLE_ENTITY;
        };
        return problem(status, e.reason().code(), e.getMessage());
    }

    @ExceptionHandler(OrderNotFoundException.class)
    ResponseEntity<Map<String, String>> notFound(OrderNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "order_not_found", e.getMessage());
    }

    @ExceptionHandler(CustomerNotFoundException.class)
    ResponseEntity<Map<String, String>> customerNotFound(CustomerNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "customer_not_found", e.getMessage());
    }

    @ExceptionHandler(WrongExpectedVersionException.class)
    ResponseEntity<Map<String, String>> conflict(WrongExpectedVersionException e) {
        return problem(HttpStatus.CONFLICT, "concurrent_change", e.getMessage());
    }

    @ExceptionHandler({MissingFieldException.class, HttpMessageNotReadableException.class})
    ResponseEntity<Map<String, String>> badRequest(RuntimeException e) {
        return problem(HttpStatus.BAD_REQUEST, "bad_request", e.getMessage());
    }

    @ExceptionHandler(InvalidIdempotencyKeyException.class)
    ResponseEntity<Map<String, String>> invalidKey(InvalidIdempotencyKeyException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid_idempotency_key", e.getMessage());
    }

    @ExceptionHandler(IdempotencyKeyReusedException.class)
    ResponseEntity<Map<String, String>> keyReused(IdempotencyKeyReusedException e) {
        return problem(HttpStatus.UNPROCESSABLE_ENTITY, "idempotency_key_reused", e.getMessage());
    }

    @ExceptionHandler(StoreUnavailableException.class)
    ResponseEntity<Map<String, String>> unavailable(StoreUnavailableException e) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", e.getMessage());
    }

    private static ResponseEntity<Map<String, String>> problem(HttpStatus status, String error, String message) {
        return ResponseEntity.status(status).body(Map.of("error", error, "message", message));
    }
}
