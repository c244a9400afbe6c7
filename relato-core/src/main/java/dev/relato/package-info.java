/**
 * The event store and its vocabulary: the contract every store keeps, {@link dev.relato.EventStore}, with
 * {@link dev.relato.StreamId}, {@link dev.relato.ExpectedVersion}, {@link dev.relato.EventData} (an event to
 * append) and {@link dev.relato.RecordedEvent} (an event as stored), reads of one stream
 * ({@link dev.relato.StreamRead}) and of the global log ({@link dev.relato.GlobalRead},
 * {@link dev.relato.EventFilter}), and subscriptions ({@link dev.relato.Subscription},
 * {@link dev.relato.SubscriptionOptions}).
 *
 * <p>Failures: every exception is a {@link dev.relato.RelatoException}. Only
 * {@link dev.relato.StoreUnavailableException} is transient (the store's allow-list of conditions that heal);
 * everything else is permanent and names what failed: {@link dev.relato.WrongExpectedVersionException},
 * {@link dev.relato.DuplicateEventException}, {@link dev.relato.InvalidEventException} and
 * {@link dev.relato.InvalidInputException} for bad input, {@link dev.relato.EventDecodingException}.
 *
 * <p>No method takes or returns null unless it says so: absent values are {@link java.util.Optional} or
 * empty collections. Value types are immutable records; stores are thread-safe.
 */
@NullMarked
package dev.relato;

import org.jspecify.annotations.NullMarked;
