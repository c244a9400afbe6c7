package dev.relato.command;

import dev.relato.EventStore;
import dev.relato.Metadata;
import java.util.UUID;

/**
 * What a {@link CommandHandler} works with: the command's id and metadata, and the store to read and append
 * through. Appends through {@link #store()} get event ids derived from the command id ({@link Command#eventId})
 * and the command's metadata, with the command id as causation id. Valid only during the handler's call; used
 * by one thread.
 */
public final class CommandContext {
    private final CommandScope scope;

    CommandContext(CommandScope scope) {
        this.scope = scope;
    }

    /** The id of the command being handled. */
    public UUID commandId() {
        return scope.command().id();
    }

    /** The metadata of the command being handled. */
    public Metadata metadata() {
        return scope.command().metadata();
    }

    /**
     * The store to read and append through, in the bus's transaction if the bus is
     * {@linkplain CommandBus#using bound to one}. Reading a stream that already holds this command's first event
     * ends the handler's call: the bus answers with the first attempt's receipt.
     */
    public EventStore store() {
        return scope;
    }
}
