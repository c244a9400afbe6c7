package dev.relato.examples.spring;

/** A request's {@code Idempotency-Key} header breaks the key rules of the plain example. */
final class InvalidIdempotencyKeyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidIdempotencyKeyException(String problem) {
        super(problem);
    }
}
