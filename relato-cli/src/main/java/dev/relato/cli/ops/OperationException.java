package dev.relato.cli.ops;

/**
 * An operation cannot be done: an unknown stream, projection or dead letter, a missing file. Exit code 1 on the
 * command line; 404 or 409 in the console.
 */
public final class OperationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OperationException(String message) {
        super(message);
    }
}
