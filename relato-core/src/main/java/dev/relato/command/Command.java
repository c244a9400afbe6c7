package dev.relato.command;

import dev.relato.Metadata;
import dev.relato.internal.RandomIds;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * A command on its way to its handler: the command itself (a plain record of the user's), its id and the
 * metadata its events will carry. The id names the intention, not the attempt: send the same id again after a
 * timeout or a crash and the {@link CommandBus} treats it as a retry of the same command (see
 * {@link CommandBus} for the guarantee). Immutable and thread-safe if the body is.
 *
 * @param id       the command's id; the ids of the events it appends are derived from it
 * @param body     the command, such as {@code new ConfirmOrder("o-1")}
 * @param metadata entries added to the metadata of every event the command appends (correlation id and so on)
 * @param <C>      the command type
 */
public record Command<C>(UUID id, C body, Metadata metadata) {
    private static final byte[] EVENT = "event/".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<NameHasher> HASHER = ThreadLocal.withInitial(NameHasher::new);

    public Command {
        Objects.requireNonNull(id, "command id must not be null");
        Objects.requireNonNull(body, "command must not be null");
        Objects.requireNonNull(metadata, "metadata must not be null");
        if (body instanceof Command<?>) {
            throw new IllegalArgumentException("a command cannot carry another command envelope as its body");
        }
    }

    /** {@code body} with a new random id and no metadata. */
    public static <C> Command<C> of(C body) {
        return new Command<>(RandomIds.next(), body, Metadata.empty());
    }

    /** {@code body} with the given id (the same id again is a retry) and no metadata. */
    public static <C> Command<C> of(UUID id, C body) {
        return new Command<>(id, body, Metadata.empty());
    }

    /** This command with other metadata. */
    public Command<C> withMetadata(Metadata newMetadata) {
        return new Command<>(id, body, newMetadata);
    }

    /** The type of the body: what the bus routes on. */
    public Class<?> type() {
        return body.getClass();
    }

    /**
     * A UUID derived from {@code cause} and {@code purpose}, the same for the same two values in every process
     * (a name-based UUID). The bus derives event ids from a command id this way, and process managers derive
     * command ids from the event that caused them.
     */
    public static UUID derivedId(UUID cause, String purpose) {
        Objects.requireNonNull(cause, "cause must not be null");
        Objects.requireNonNull(purpose, "purpose must not be null");
        return HASHER.get().uuid(cause, purpose.getBytes(StandardCharsets.UTF_8), -1);
    }

    /** The id of the {@code index}-th event (from 0) that the command {@code commandId} appends. */
    public static UUID eventId(UUID commandId, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("event index must not be negative, got " + index);
        }
        Objects.requireNonNull(commandId, "command id must not be null");
        return HASHER.get().uuid(commandId, EVENT, index); // derivedId(commandId, "event/" + index), built in place
    }
}
