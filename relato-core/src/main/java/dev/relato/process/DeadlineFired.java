package dev.relato.process;

import java.time.Instant;
import java.util.Objects;

/**
 * The input a process manager receives when one of its deadlines is due. Immutable and thread-safe.
 *
 * @param name the deadline's name, as scheduled
 * @param due  the time it was due
 */
public record DeadlineFired(String name, Instant due) {
    public DeadlineFired {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(due, "due must not be null");
    }
}
