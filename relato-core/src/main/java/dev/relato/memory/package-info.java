/**
 * The in-memory store, {@link dev.relato.memory.InMemoryEventStore}: every guarantee of the event store
 * contract, nothing kept beyond {@code close()} or the JVM. For tests, prototypes, and as the baseline that
 * measures the other stores' overhead.
 */
@NullMarked
package dev.relato.memory;

import org.jspecify.annotations.NullMarked;
