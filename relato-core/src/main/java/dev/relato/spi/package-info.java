/**
 * Building blocks for event store implementations: the checks every store makes before it writes
 * ({@link dev.relato.spi.AppendValidation}, {@link dev.relato.spi.Json}), paged reads of the global log
 * ({@link dev.relato.spi.LogReader}) and the polling subscription built on them
 * ({@link dev.relato.spi.PollingSubscription}, woken by an {@link dev.relato.spi.AppendSignal}), and the state of
 * a bounded run of retries ({@link dev.relato.spi.RetryState}).
 *
 * <p>For store authors. The module exports this package to Relato's store and test modules only, and no type
 * of it appears in a signature of the user API.
 */
@NullMarked
package dev.relato.spi;

import org.jspecify.annotations.NullMarked;
