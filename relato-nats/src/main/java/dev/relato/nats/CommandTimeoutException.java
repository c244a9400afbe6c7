package dev.relato.nats;

import dev.relato.StoreUnavailableException;
import java.time.Duration;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A command sent by {@link NatsCommandSender} got no answer in time: no listener was subscribed to its subject
 * (NATS said so at once, or the request went unanswered), or the listener did not answer within the timeout. In
 * the second case the command may have been handled; send it again with the same id ({@link #commandId()}) and a
 * command that was handled is not applied twice: the answer is its first receipt, marked repeated. Transient, as
 * every {@link StoreUnavailableException}.
 */
public class CommandTimeoutException extends StoreUnavailableException {
    private final UUID commandId;
    private final String subject;

    public CommandTimeoutException(UUID commandId, String subject, Duration timeout, boolean noListener,
                                   @Nullable Throwable cause) {
        super((noListener ? "no listener is subscribed to " + subject + " for command " + commandId
                : "command " + commandId + " sent to " + subject + " got no answer within " + timeout)
                + "; sending it again with the same id is safe", cause);
        this.commandId = commandId;
        this.subject = subject;
    }

    /** The id of the command that got no answer: send it again with this id to retry it. */
    public UUID commandId() {
        return commandId;
    }

    /** The subject the command was sent to. */
    public String subject() {
        return subject;
    }
}
