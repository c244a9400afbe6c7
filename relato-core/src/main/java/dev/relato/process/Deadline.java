package dev.relato.process;

import dev.relato.command.Command;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A scheduled input of one process instance: at {@code due}, the process named {@code process} receives
 * {@link DeadlineFired} for its instance {@code instance}. One deadline per (process, instance, name): its
 * {@link #id} derives from the three, so scheduling the same name again moves it. Immutable and thread-safe.
 *
 * @param id       derived from process, instance and name ({@link #idOf})
 * @param process  the process manager's name
 * @param instance the instance id, such as an order id
 * @param name     the deadline's name within the instance, such as {@code payment}
 * @param due      when it fires, at millisecond precision
 */
public record Deadline(UUID id, String process, String instance, String name, Instant due) {
    public Deadline {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(process, "process must not be null");
        Objects.requireNonNull(instance, "instance must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(due, "due must not be null");
        if (!id.equals(idOf(process, instance, name))) {
            throw new IllegalArgumentException("deadline id " + id + " is not the one of " + process + "/" + instance
                    + "/" + name);
        }
        due = due.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    /** The deadline {@code name} of instance {@code instance} of process {@code process}, due at {@code due}. */
    public static Deadline of(String process, String instance, String name, Instant due) {
        return new Deadline(idOf(process, instance, name), process, instance, name, due);
    }

    /** The id of deadline {@code name} of the instance. */
    public static UUID idOf(String process, String instance, String name) {
        return Command.derivedId(new UUID(0, 0), "deadline/" + process.length() + ":" + process + "/"
                + instance.length() + ":" + instance + "/" + name);
    }
}
