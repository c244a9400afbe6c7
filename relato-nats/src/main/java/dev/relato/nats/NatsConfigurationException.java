package dev.relato.nats;

import dev.relato.RelatoException;

/**
 * A JetStream stream or key-value bucket exists with a configuration Relato cannot safely use (limits that
 * would discard events, subjects that do not cover the store's, another storage type or replica count), or
 * the server lacks something Relato needs (JetStream disabled). The message says what differs and what to
 * do. Nothing was changed on the server.
 */
public class NatsConfigurationException extends RelatoException {
    /** @param message what differs and what to do */
    public NatsConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message what differs and what to do
     * @param cause   the server's refusal
     */
    public NatsConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
