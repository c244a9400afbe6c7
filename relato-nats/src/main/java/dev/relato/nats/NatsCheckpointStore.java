package dev.relato.nats;

import dev.relato.ErrorClassifier;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.projection.CheckpointStore;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link CheckpointStore} in a JetStream key-value bucket (default {@code relato-checkpoints}): one key per
 * consumer (the base64url form of its name), holding the position as decimal text, and a key
 * {@code paused.<name in base64url>} per paused consumer (base64url has no dot, so the two never meet). The bucket
 * is created on first use (one value per key, no expiry) and checked if it exists.
 *
 * <p>Loads are answered by the leader of the bucket's stream, so on a cluster they see the newest save, never a
 * replica's older position.
 *
 * <p>Thread-safe. Transient failures surface as {@link StoreUnavailableException} and permanent ones as
 * {@link StoreFailureException}, by the same allow-list as {@link NatsEventStore}; a save that fails
 * transiently may or may not have been stored, which costs at most re-handling events. {@link #close()} closes the
 * connection if the store opened it.
 */
public final class NatsCheckpointStore implements CheckpointStore, AutoCloseable {
    private static final String PAUSED = "paused.";
    private static final byte[] PAUSED_VALUE = {'1'};

    private final NatsSupport.Handle handle;
    private final KeyValueBucket kv;
    private final String bucket;
    private final NatsFailures failures;

    NatsCheckpointStore(BucketSettings.Opened opened) {
        this.handle = opened.handle();
        this.kv = opened.bucket();
        this.bucket = kv.name();
        this.failures = opened.failures();
    }

    /** A builder with the defaults: bucket {@code relato-checkpoints}, file storage, one replica. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public long load(String consumer) {
        String key = key(consumer);
        try {
            Optional<KeyValueBucket.Entry> entry = kv.current(key);
            if (entry.isEmpty()) {
                return 0;
            }
            return Long.parseLong(new String(entry.get().value(), StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new StoreFailureException("the checkpoint of consumer '" + consumer + "' in bucket '" + bucket
                    + "' is not a number; delete it to start the consumer again", e);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("loading the checkpoint of consumer '" + consumer + "'", e);
        }
    }

    @Override
    public void save(String consumer, long position) {
        String key = key(consumer);
        if (position < 0) {
            throw new IllegalArgumentException("checkpoint position must be 0 or more, got " + position);
        }
        try {
            kv.put(key, Long.toString(position).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("saving the checkpoint of consumer '" + consumer + "'", e);
        }
    }

    @Override
    public void delete(String consumer) {
        String key = key(consumer);
        try {
            kv.delete(key, KeyValueBucket.ANY_REVISION);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("deleting the checkpoint of consumer '" + consumer + "'", e);
        }
    }

    @Override
    public SortedMap<String, Long> loadAll() {
        try {
            SortedMap<String, Long> all = new TreeMap<>();
            for (KeyValueBucket.Entry entry : kv.list("*")) {
                String consumer = Names.decode(entry.key());
                try {
                    all.put(consumer, Long.parseLong(new String(entry.value(), StandardCharsets.US_ASCII)));
                } catch (NumberFormatException e) {
                    throw new StoreFailureException("the checkpoint of consumer '" + consumer + "' in bucket '"
                            + bucket + "' is not a number; delete it to start the consumer again", e);
                }
            }
            return Collections.unmodifiableSortedMap(all);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("listing the checkpoints", e);
        }
    }

    @Override
    public void pause(String consumer) {
        String key = PAUSED + key(consumer);
        onPause("pausing consumer '" + consumer + "'", () -> kv.put(key, PAUSED_VALUE));
    }

    @Override
    public void resume(String consumer) {
        String key = PAUSED + key(consumer);
        onPause("resuming consumer '" + consumer + "'", () -> kv.delete(key, KeyValueBucket.ANY_REVISION));
    }

    @Override
    public boolean isPaused(String consumer) {
        String key = PAUSED + key(consumer);
        return onPause("looking whether consumer '" + consumer + "' is paused", () -> kv.current(key).isPresent());
    }

    private <T> T onPause(String what, BucketCall<T> call) {
        try {
            return call.run();
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate(what, e);
        }
    }

    /** One call on the bucket. */
    @FunctionalInterface
    private interface BucketCall<T> {
        T run() throws IOException, JetStreamApiException, InterruptedException;
    }

    @Override
    public SortedSet<String> loadPaused() {
        try {
            SortedSet<String> paused = new TreeSet<>();
            for (KeyValueBucket.Entry entry : kv.list(PAUSED + "*")) {
                paused.add(Names.decode(entry.key().substring(PAUSED.length())));
            }
            return Collections.unmodifiableSortedSet(paused);
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("listing the paused consumers", e);
        }
    }

    /** The key-value bucket holding the checkpoints. */
    public String bucket() {
        return bucket;
    }

    /** Closes the connection if this store opened it. */
    @Override
    public void close() {
        handle.close();
    }

    private static String key(String consumer) {
        return Names.encode(CheckpointStore.validateName(consumer));
    }

    /** Configures a {@link NatsCheckpointStore}. Not thread-safe. */
    public static final class Builder {
        private final BucketSettings settings = new BucketSettings("projection checkpoints", "relato-checkpoints");

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

        /** The bucket name: ASCII letters, digits, {@code -}, {@code _}; default {@code relato-checkpoints}. */
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
        public NatsCheckpointStore build() {
            return new NatsCheckpointStore(settings.open());
        }
    }
}
