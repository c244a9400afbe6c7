package dev.relato.command;

import java.util.Objects;

/**
 * Where callers send commands: a {@link CommandBus} in the same process, or a sender that hands them to a bus in
 * another process (such as relato-nats' {@code NatsCommandSender}). Code written against this interface does not
 * change when its commands move to another service. Implementations are thread-safe.
 *
 * <p>The contract of both calls: a {@link Receipt} tells what the command appended; a rejection is thrown as the
 * domain's exception; a command type nobody handles throws {@link UnknownCommandException}. A command with the id
 * of one already handled is a retry and appends nothing again ({@link Receipt#repeated()}).
 */
public interface CommandSender {

    /** Sends {@code command} with its own id: sending it again is a retry. */
    Receipt send(Command<?> command);

    /**
     * Sends a command: a bare record gets a new random id; a {@link Command} keeps its id, so sending it again
     * is a retry.
     */
    default Receipt send(Object command) {
        Objects.requireNonNull(command, "command must not be null");
        return send(command instanceof Command<?> envelope ? envelope : Command.of(command));
    }
}
