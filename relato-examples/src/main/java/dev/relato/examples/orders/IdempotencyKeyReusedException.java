package dev.relato.examples.orders;

/**
 * A command came with an idempotency key that an earlier, different command was sent with; nothing was
 * appended. Unchecked.
 */
public final class IdempotencyKeyReusedException extends RuntimeException {
    IdempotencyKeyReusedException(String message) {
        super(message);
    }
}
