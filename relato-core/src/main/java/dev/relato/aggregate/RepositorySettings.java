package dev.relato.aggregate;

import dev.relato.EventStore;
import dev.relato.RetryPolicy;
import dev.relato.StreamId;
import dev.relato.serialization.EventSerializer;
import dev.relato.snapshot.SnapshotStore;
import java.time.Duration;
import java.util.Objects;

/** What both repository builders collect. Not thread-safe (builder state). */
final class RepositorySettings<S> {
    /**
     * Six attempts in all, the retries 1 to 2 ms apart at first, doubling up to 200 ms, for at most 10 seconds:
     * enough for a hot stream, short enough to give up before a caller's own timeout.
     */
    static final RetryPolicy DEFAULT_RETRY = new RetryPolicy(6, Duration.ofMillis(2), Duration.ofMillis(200),
            Duration.ofSeconds(10));

    final EventStore store;
    final EventSerializer serializer;
    final String category;
    RetryPolicy retry = DEFAULT_RETRY;
    Snapshotting<S> snapshots;

    RepositorySettings(EventStore store, EventSerializer serializer, String category) {
        this.store = Objects.requireNonNull(store, "event store must not be null");
        this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
        this.category = StreamId.validateCategory(category);
    }

    void retry(RetryPolicy policy) {
        this.retry = Objects.requireNonNull(policy, "retry policy must not be null");
    }

    void maxRetries(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
        }
        this.retry = retry.withMaxAttempts(retries == Integer.MAX_VALUE ? retries : retries + 1);
    }

    void snapshots(SnapshotStore snapshotStore, SnapshotPolicy policy, int schemaVersion, Class<? extends S> stateClass) {
        this.snapshots = new Snapshotting<>(snapshotStore, policy, schemaVersion, stateClass);
    }
}
