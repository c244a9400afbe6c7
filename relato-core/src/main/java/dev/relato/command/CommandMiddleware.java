package dev.relato.command;

import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Code around the dispatch of every command: validation, metadata, logging, authorisation. A middleware may
 * pass the command on (possibly changed, such as with more metadata), throw to reject it (nothing is appended),
 * or act on the receipt. Middleware added first runs outermost. Implementations are thread-safe.
 */
@FunctionalInterface
public interface CommandMiddleware {

    /** Handles {@code command}, usually by calling {@code next.proceed(command)}. */
    Receipt apply(Command<?> command, Next next);

    /** The rest of the chain. */
    @FunctionalInterface
    interface Next {
        Receipt proceed(Command<?> command);
    }

    /**
     * Runs {@code check} on each command's body before it is handled; the check rejects a command by throwing
     * (for example {@code IllegalArgumentException}), and nothing is appended.
     */
    static CommandMiddleware validating(Consumer<Object> check) {
        Objects.requireNonNull(check, "check must not be null");
        return (command, next) -> {
            check.accept(command.body());
            return next.proceed(command);
        };
    }

    /** Logs each command at debug level, with its id, its outcome and its duration. */
    static CommandMiddleware logging() {
        Logger log = LoggerFactory.getLogger(CommandBus.class);
        return (command, next) -> {
            if (!log.isDebugEnabled()) {
                return next.proceed(command);
            }
            long start = System.nanoTime();
            try {
                Receipt receipt = next.proceed(command);
                log.debug("{} {} handled in {} µs: {} events{}", command.type().getSimpleName(), command.id(),
                        (System.nanoTime() - start) / 1000, receipt.eventCount(), receipt.repeated() ? " (repeat)" : "");
                return receipt;
            } catch (RuntimeException e) {
                log.debug("{} {} rejected: {}", command.type().getSimpleName(), command.id(), e.toString());
                throw e;
            }
        };
    }
}
