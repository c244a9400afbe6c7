package dev.relato.nats;

import dev.relato.RelatoException;

/**
 * The handler in another process threw an exception that {@link NatsCommandSender} cannot rebuild as its own type:
 * a type not registered on the sender with {@link NatsCommandSender.Builder#rejection}. It names the remote type
 * and carries the remote message. Nothing was appended for the command (the remote bus appends nothing when its
 * handler throws). Remote store failures arrive this way too: check {@link #remoteType()}.
 */
public class RemoteRejectionException extends RelatoException {
    private final String remoteType;
    private final String remoteMessage;

    public RemoteRejectionException(String remoteType, String remoteMessage) {
        super("the command was rejected remotely with " + remoteType + ": " + remoteMessage);
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
    }

    /** The class name of the exception the remote handler threw. */
    public String remoteType() {
        return remoteType;
    }

    /** Its message. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
