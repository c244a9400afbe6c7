package dev.relato.nats;

import dev.relato.ErrorClassifier;
import dev.relato.RelatoException;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamOptions;
import io.nats.client.KeyValueOptions;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * What the key-value backed stores are configured with, validated as it is set, and how they open their
 * bucket. Backs the builders of {@link NatsSnapshotStore}, {@link NatsCheckpointStore},
 * {@link NatsDeadLetterStore} and {@link NatsProjectionLeases}, and the buckets {@link NatsEventStore} opens on
 * its own connection. Not thread-safe.
 */
final class BucketSettings {
    private final String purpose;
    private Connection connection;
    private String url;
    private String bucket;
    private int replicas = 1;
    private StorageType storage = StorageType.File;
    private Duration requestTimeout = Duration.ofSeconds(5);
    private ErrorClassifier errorClassifier = ErrorClassifier.storeDefault();

    BucketSettings(String purpose, String defaultBucket) {
        this.purpose = purpose;
        this.bucket = defaultBucket;
    }

    void connection(Connection natsConnection) {
        this.connection = Objects.requireNonNull(natsConnection, "connection");
    }

    void url(String natsUrl) {
        this.url = Objects.requireNonNull(natsUrl, "url");
    }

    void bucket(String name) {
        this.bucket = Names.validateName("bucket name", name);
    }

    void replicas(int count) {
        this.replicas = NatsSupport.checkReplicas(count);
    }

    void storage(StorageType type) {
        this.storage = Objects.requireNonNull(type, "storage");
    }

    void requestTimeout(Duration duration) {
        this.requestTimeout = NatsSupport.checkTimeout(duration);
    }

    void errorClassifier(ErrorClassifier classifier) {
        this.errorClassifier = Objects.requireNonNull(classifier, "error classifier");
    }

    /** An open bucket, who owns its connection, and how its failures are reported. */
    record Opened(NatsSupport.Handle handle, KeyValueBucket bucket, NatsFailures failures) {
    }

    /**
     * Connects if given a URL, creates or checks the bucket, and opens it.
     *
     * @throws dev.relato.StoreUnavailableException if the server cannot be reached
     * @throws dev.relato.StoreFailureException     if the server refuses the bucket for good
     * @throws NatsConfigurationException           if an existing bucket does not fit
     */
    Opened open() {
        NatsSupport.Handle handle = NatsSupport.handle(connection, url, requestTimeout, "relato-" + bucket);
        NatsFailures failures = new NatsFailures(errorClassifier, handle.connection());
        try {
            Connection connected = handle.connection();
            KeyValueOptions options = KeyValueOptions.builder().jsRequestTimeout(requestTimeout).build();
            JetStreamSetup.ensureBucket(connected.keyValueManagement(options),
                    new JetStreamSetup.BucketSpec(bucket, purpose, replicas, storage));
            KeyValueBucket opened = new KeyValueBucket(
                    connected.jetStream(JetStreamOptions.builder().requestTimeout(requestTimeout).build()),
                    new MessageRequests(connected, requestTimeout), bucket, requestTimeout);
            return new Opened(handle, opened, failures);
        } catch (IOException | JetStreamApiException | IllegalStateException e) {
            RelatoException failure = failures.translate("setting up key-value bucket '" + bucket + "' for " + purpose, e);
            handle.close();
            throw failure;
        } catch (RuntimeException e) {
            handle.close();
            throw e;
        }
    }
}
