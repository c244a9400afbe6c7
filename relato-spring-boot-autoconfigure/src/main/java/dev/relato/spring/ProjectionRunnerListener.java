package dev.relato.spring;

import dev.relato.projection.ProjectionRunner;

/**
 * Told of each projection runner {@link RelatoProjections} starts: on start-up, and again on each resume or rebuild,
 * which replace a projection's runner by a new one. Implementations are beans; they must be thread-safe and quick.
 */
@FunctionalInterface
interface ProjectionRunnerListener {
    /** {@code runner} was started; it replaces any earlier runner of the same projection name. */
    void started(ProjectionRunner<?> runner);
}
