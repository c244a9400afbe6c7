package dev.relato.projection;

import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.RetryPolicy;
import dev.relato.serialization.EventSerializer;
import java.time.Clock;
import java.time.Duration;

/**
 * The settings of one {@link ProjectionRunner}, as checked by its builder: what the parts of a runner share.
 * Immutable. {@code deadLetters} and {@code leases} are null when not configured.
 *
 * @param name   the checkpoint (and lease) name: the projection's, with the partition's suffix
 * @param filter the projection's filter over the serializer's type names
 */
record RunnerSettings<C>(Projection<C> projection, EventStore store, EventSerializer serializer,
                         ProjectionTransactions<C> transactions, FailurePolicy failurePolicy,
                         DeadLetterStore deadLetters, Partition partition, ProjectionLeases leases,
                         Duration leaseDuration, int batchSize, Duration pollInterval, RetryPolicy storeRetry,
                         Duration closeTimeout, Clock clock, String name, EventFilter filter) {
}
