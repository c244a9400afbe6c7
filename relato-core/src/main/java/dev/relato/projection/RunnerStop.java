package dev.relato.projection;

import dev.relato.RelatoException;

/**
 * Ends a {@link ProjectionRunner}'s thread with a failure to report: an event that kept failing under a stop
 * policy, a store outage past its retry policy's ceiling, an event whose handling outlives the lease. The cause is
 * what the runner's status reports as its last error.
 */
final class RunnerStop extends RelatoException {
    RunnerStop(String message, Throwable cause) {
        super(message, cause);
    }
}
