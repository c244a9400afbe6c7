package dev.relato.cli.ops;

/** The input of an operation is malformed: exit code 2 on the command line, 400 in the console. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
