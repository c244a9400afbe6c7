package dev.relato.projection;

import dev.relato.RelatoException;

/**
 * A projection runner tried to commit work it no longer owns: its lease has passed to another node, or its
 * checkpoint was moved by someone else (another runner of the same name, or a reset) since it was loaded.
 * Nothing of the refused transaction is committed; the runner reloads its checkpoint (or waits for its
 * lease) and goes on from there.
 */
public class ProjectionOwnershipException extends RelatoException {
    public ProjectionOwnershipException(String message) {
        super(message);
    }
}
