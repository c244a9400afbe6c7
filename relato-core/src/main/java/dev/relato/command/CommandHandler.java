package dev.relato.command;

/**
 * A command handler written as a free function: it reads and appends through {@link CommandContext#store()},
 * whose appends get event ids derived from the command id. To reject the command it throws an exception of
 * the domain, which reaches the sender unchanged. Called from any thread; implementations are thread-safe.
 *
 * @param <C> the command type
 */
@FunctionalInterface
public interface CommandHandler<C> {
    void handle(C command, CommandContext context);
}
