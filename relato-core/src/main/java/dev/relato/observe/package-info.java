/**
 * What Relato does, for metrics, traces and health checks, without a dependency on a metrics or tracing library.
 *
 * <ul>
 *   <li>{@link dev.relato.observe.RelatoObserver}: told by the stores, the repositories and the projection runners
 *       about each append, stream load, projection handling, command attempt and store-specific wait; every method
 *       does nothing by default. A store takes one through its builder's {@code observer(...)} and hands it, through
 *       {@link dev.relato.EventStore#observer()}, to the repositories and runners built on it.
 *       {@code relato-micrometer} turns it into meters and {@code relato-opentelemetry} into spans; combine them
 *       with {@link dev.relato.observe.RelatoObserver#of}.</li>
 *   <li>{@link dev.relato.observe.Health}: whether a store answers and whether a projection runner keeps up,
 *       usable without any metrics library.</li>
 * </ul>
 *
 * <p>Tags an observer derives are bounded: a store name, a stream category, a projection name, an outcome;
 * never a stream id.
 */
@NullMarked
package dev.relato.observe;

import org.jspecify.annotations.NullMarked;
