package dev.relato.command;

import dev.relato.RelatoException;

/** A command was sent whose type has no handler on the bus. Nothing was appended. */
public class UnknownCommandException extends RelatoException {
    private final String commandType;

    public UnknownCommandException(Class<?> type) {
        super("no handler for command type " + type.getName() + "; register one on the CommandBus builder");
        this.commandType = type.getName();
    }

    /** The class name of the command that has no handler. */
    public String commandType() {
        return commandType;
    }
}
