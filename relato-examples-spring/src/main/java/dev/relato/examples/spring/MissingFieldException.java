package dev.relato.examples.spring;

/** A request body lacks a required field. */
final class MissingFieldException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MissingFieldException(String field) {
        super("the body needs the field '" + field + "'");
    }
}
