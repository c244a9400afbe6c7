package dev.relato.examples.spring;

/** A request named an order that does not exist. */
final class OrderNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OrderNotFoundException(String orderId) {
        super("order " + orderId + " does not exist");
    }
}
