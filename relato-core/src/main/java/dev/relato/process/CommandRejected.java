package dev.relato.process;

import java.util.Objects;

/**
 * The input a process manager receives when a command it sent was rejected by the domain, so that it can
 * compensate (undo earlier steps). Immutable and thread-safe.
 *
 * @param command the command that was rejected
 * @param reason  the domain's exception
 */
public record CommandRejected(Object command, RuntimeException reason) {
    public CommandRejected {
        Objects.requireNonNull(command, "command must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
    }
}
