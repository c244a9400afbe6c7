package dev.relato.examples.spring;

/** A customer who has placed no order. */
final class CustomerNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CustomerNotFoundException(String customer) {
        super("customer '" + customer + "' has placed no order");
    }
}
