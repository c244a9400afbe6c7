package dev.relato.nats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relato.ErrorClassifier;
import dev.relato.RetryPolicy;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.snapshot.Snapshot;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.spi.RetryState;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link SnapshotStore} in a JetStream key-value bucket (default {@code relato-snapshots}): one key per
 * stream, {@code <category>.<base64url of the id>}, holding the latest snapshot as JSON. Saving is a
 * compare-and-set on the key's revision, so concurrent savers keep the snapshot with the highest version.
 * The bucket is created on first use (one value per key, no expiry) and checked if it exists.
 *
 * <p>Loads are answered by the leader of the bucket's stream, so on a cluster they see the newest save, never a
 * replica's older state.
 *
 * <p>Thread-safe. Transient failures surface as {@link StoreUnavailableException} and permanent ones as
 * {@link StoreFailureException}, by the same allow-list as {@link NatsEventStore}; since snapshots are a cache,
 * callers may log and ignore a failed save. A save that keeps losing the compare-and-set to other savers
 * retries with jittered backoff for at most five seconds. {@link #close()} closes the connection if the store opened it.
 */
public final class NatsSnapshotStore implements SnapshotStore, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Races with other savers of the same stream's snapshot: retried 1 ms to 50 ms apart, for at most 5 s. */
    private static final RetryPolicy SAVE_RACES = new RetryPolicy(100, Duration.ofMillis(1), Duration.ofMillis(50),
            Duration.ofSeconds(5));

    private final NatsSupport.Handle handle;
    private final KeyValueBucket kv;
    private final String bucket;
    private final NatsFailures failures;

    NatsSnapshotStore(BucketSettings.Opened opened) {
        this.handle = opened.handle();
        this.kv = opened.bucket();
        this.bucket = kv.name();
        this.failures = opened.failures();
    }

    /** A builder with the defaults: bucket {@code relato-snapshots}, file storage, one replica. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Optional<Snapshot> load(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        try {
            return kv.current(Names.streamKey(stream)).map(e -> decode(stream, e));
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("loading the snapshot of stream '" + stream + "'", e);
        }
    }

    @Override
    public void save(Snapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        String key = Names.streamKey(snapshot.stream());
        byte[] value = encode(snapshot);
        RetryState races = new RetryState(SAVE_RACES);
        try {
            while (true) {
                Optional<KeyValueBucket.Entry> existing = kv.get(key);
                if (existing.isPresent() && !existing.get().deleted()
                        && decode(snapshot.stream(), existing.get()).version() > snapshot.version()) {
                    return;
                }
                if (kv.update(key, value, existing.map(KeyValueBucket.Entry::revision).orElse(0L)).isPresent()) {
                    return;
                }
                // another saver got in between: read again and compare versions
                Optional<Duration> wait = races.failed();
                if (wait.isEmpty()) {
                    throw new StoreUnavailableException("saving the snapshot of stream '" + snapshot.stream() + "' lost "
                            + races.failures() + " races in a row to other savers", null);
                }
                Thread.sleep(wait.get().toMillis());
            }
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("saving the snapshot of stream '" + snapshot.stream() + "'", e);
        }
    }

    @Override
    public void delete(StreamId stream) {
        Objects.requireNonNull(stream, "stream");
        try {
            kv.delete(Names.streamKey(stream), KeyValueBucket.ANY_REVISION);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("deleting the snapshot of stream '" + stream + "'", e);
        }
    }

    /** The key-value bucket holding the snapshots. */
    public String bucket() {
        return bucket;
    }

    /** Closes the connection if this store opened it. */
    @Override
    public void close() {
        handle.close();
    }

    private static byte[] encode(Snapshot snapshot) {
        ObjectNode node = JSON.createObjectNode();
        node.put("version", snapshot.version());
        node.put("schemaVersion", snapshot.schemaVersion());
        node.put("takenAt", snapshot.takenAt().toString());
        node.put("payload", snapshot.payload());
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("snapshot could not be encoded", e);
        }
    }

    private Snapshot decode(StreamId stream, KeyValueBucket.Entry entry) {
        try {
            JsonNode node = JSON.readTree(entry.value());
            return new Snapshot(stream, node.get("version").asLong(), node.get("schemaVersion").asInt(),
                    node.get("payload").asText(), Instant.parse(node.get("takenAt").asText()));
        } catch (IOException | RuntimeException e) {
            throw new StoreFailureException("the snapshot of stream '" + stream + "' in bucket '" + bucket
                    + "' is not readable; delete it to have it taken again: " + e.getMessage(), e);
        }
    }

    /** Configures a {@link NatsSnapshotStore}. Not thread-safe. */
    public static final class Builder {
        private final BucketSettings settings = new BucketSettings("snapshots", "relato-snapshots");

        private Builder() {
        }

        /** Use this connection; the store does not close it. */
        public Builder connection(Connection natsConnection) {
            settings.connection(natsConnection);
            return this;
        }

        /** Connect to these servers (comma-separated); the store owns and closes the connection. */
        public Builder url(String natsUrl) {
            settings.url(natsUrl);
            return this;
        }

        /** The bucket name: ASCII letters, digits, {@code -}, {@code _}; default {@code relato-snapshots}. */
        public Builder bucket(String name) {
            settings.bucket(name);
            return this;
        }

        /** Replicas of the bucket in a cluster, 1 to 5; default 1. */
        public Builder replicas(int count) {
            settings.replicas(count);
            return this;
        }

        /** File (default) or memory storage. */
        public Builder storage(StorageType type) {
            settings.storage(type);
            return this;
        }

        /** How long to wait for each answer of the server; default 5 seconds. */
        public Builder requestTimeout(Duration duration) {
            settings.requestTimeout(duration);
            return this;
        }

        /**
         * Adjusts which failures are transient ({@link StoreUnavailableException}) and which permanent
         * ({@link dev.relato.StoreFailureException}); by default the store's own allow-list decides, as for
         * {@link NatsEventStore}.
         */
        public Builder errorClassifier(ErrorClassifier classifier) {
            settings.errorClassifier(classifier);
            return this;
        }

        /**
         * Connects if given a URL, then creates or checks the bucket.
         *
         * @throws StoreUnavailableException  if the server cannot be reached
         * @throws NatsConfigurationException if an existing bucket does not fit
         */
        public NatsSnapshotStore build() {
            return new NatsSnapshotStore(settings.open());
        }
    }
}
