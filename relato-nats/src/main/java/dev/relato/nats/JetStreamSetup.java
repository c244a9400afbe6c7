package dev.relato.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueStatus;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the JetStream streams and key-value buckets the stores need on first use, and checks existing
 * ones against what the store requires: no limits that could discard data, the right subjects, storage
 * type, replica count and duplicate window. A mismatch is reported, never silently changed. Stateless and
 * thread-safe.
 */
final class JetStreamSetup {
    private static final Logger LOG = LoggerFactory.getLogger(JetStreamSetup.class);
    /** JetStream API error: subjects overlap with an existing stream. */
    private static final int SUBJECTS_OVERLAP = 10065;
    /**
     * JetStream API errors refusing a configuration the server cannot provide: insufficient resources,
     * memory or storage limits exceeded, invalid configuration, replicas without a cluster.
     */
    private static final Set<Integer> CANNOT_PROVIDE = Set.of(10023, 10028, 10047, 10052, 10074);

    private JetStreamSetup() {
    }

    /**
     * What the event stream must look like.
     *
     * @param name            JetStream stream name
     * @param subjects        the subject pattern the stream must capture ({@code prefix.>})
     * @param replicas        replica count
     * @param storage         file or memory
     * @param duplicateWindow how long JetStream remembers message ids for deduplication
     */
    record StreamSpec(String name, String subjects, int replicas, StorageType storage, Duration duplicateWindow) {
    }

    /**
     * Creates the stream if it does not exist, else checks it.
     *
     * @throws NatsConfigurationException if an existing stream does not fit
     */
    static void ensureStream(JetStreamManagement jsm, StreamSpec spec) throws IOException, JetStreamApiException {
        StreamInfo info;
        try {
            info = jsm.getStreamInfo(spec.name());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NatsSupport.STREAM_NOT_FOUND) {
                throw e;
            }
            info = create(jsm, spec);
        }
        check(info.getConfiguration(), spec);
    }

    private static StreamInfo create(JetStreamManagement jsm, StreamSpec spec) throws IOException, JetStreamApiException {
        StreamConfiguration config = StreamConfiguration.builder()
                .name(spec.name())
                .description("Relato event store")
                .subjects(spec.subjects())
                .retentionPolicy(RetentionPolicy.Limits)
                .discardPolicy(DiscardPolicy.New)
                .storageType(spec.storage())
                .replicas(spec.replicas())
                .duplicateWindow(spec.duplicateWindow())
                .denyDelete(true)
                .denyPurge(true)
                .allowDirect(false)
                .build();
        try {
            StreamInfo info = jsm.addStream(config);
            LOG.info("created JetStream stream '{}' for subjects {} ({} storage, {} replica(s))", spec.name(),
                    spec.subjects(), spec.storage(), spec.replicas());
            return info;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NatsSupport.STREAM_NAME_IN_USE) {
                return jsm.getStreamInfo(spec.name()); // created concurrently by another process
            }
            if (CANNOT_PROVIDE.contains(e.getApiErrorCode())) {
                throw cannotProvide("stream '" + spec.name() + "'", spec.replicas(), spec.storage(), e);
            }
            if (e.getApiErrorCode() == SUBJECTS_OVERLAP) {
                throw new NatsConfigurationException("cannot create JetStream stream '" + spec.name() + "': its subjects '"
                        + spec.subjects() + "' overlap those of another stream. Use another subject prefix, or the name "
                        + "of the stream that already holds these subjects", e);
            }
            throw e;
        }
    }

    private static NatsConfigurationException cannotProvide(String what, int replicas, StorageType storage,
                                                           JetStreamApiException e) {
        return new NatsConfigurationException("the NATS server cannot create JetStream " + what + " with " + replicas
                + " replica(s) on " + storage + " storage: " + e.getErrorDescription() + " (JetStream error "
                + e.getApiErrorCode() + "). Configure what the server or cluster offers", e);
    }

    static void check(StreamConfiguration actual, StreamSpec spec) {
        List<String> problems = new ArrayList<>();
        if (actual.getSubjects().stream().noneMatch(s -> Names.covers(s, spec.subjects()))) {
            problems.add("its subjects " + actual.getSubjects() + " do not cover '" + spec.subjects()
                    + "' (use another subject prefix or stream name, or add the subject to the stream)");
        }
        if (actual.getRetentionPolicy() != RetentionPolicy.Limits) {
            problems.add("retention is " + actual.getRetentionPolicy() + ", not Limits (events would be removed once consumed)");
        }
        if (actual.getMaxAge() != null && !actual.getMaxAge().isZero()) {
            problems.add("max age is " + actual.getMaxAge() + " (events would expire); it must be unlimited");
        }
        if (actual.getMaxMsgs() > 0) {
            problems.add("max messages is " + actual.getMaxMsgs() + "; it must be unlimited");
        }
        if (actual.getMaxBytes() > 0) {
            problems.add("max bytes is " + actual.getMaxBytes() + "; it must be unlimited");
        }
        if (actual.getMaxMsgsPerSubject() > 0) {
            problems.add("max messages per subject is " + actual.getMaxMsgsPerSubject() + "; it must be unlimited");
        }
        if (actual.getDiscardPolicy() != DiscardPolicy.New) {
            problems.add("discard policy is " + actual.getDiscardPolicy()
                    + "; it must be New, so that a limit added later refuses appends instead of deleting events");
        }
        if (actual.getStorageType() != spec.storage()) {
            problems.add("storage is " + actual.getStorageType() + " but the store is configured for " + spec.storage());
        }
        if (actual.getReplicas() != spec.replicas()) {
            problems.add("it has " + actual.getReplicas() + " replica(s) but the store is configured for " + spec.replicas());
        }
        if (!spec.duplicateWindow().equals(actual.getDuplicateWindow())) {
            problems.add("its duplicate window is " + actual.getDuplicateWindow() + " but the store is configured for "
                    + spec.duplicateWindow());
        }
        if (actual.getSealed()) {
            problems.add("it is sealed (read only)");
        }
        if (actual.getMirror() != null) {
            problems.add("it is a mirror (read only)");
        }
        if (!problems.isEmpty()) {
            throw new NatsConfigurationException("JetStream stream '" + spec.name() + "' exists but cannot hold this event store: "
                    + String.join("; ", problems) + ". Edit the stream (nats stream edit " + spec.name()
                    + ") or configure the store to match, or use another stream name.");
        }
    }

    /**
     * What a key-value bucket must look like: one value per key, no time-to-live, no size limit.
     *
     * @param name     bucket name
     * @param purpose  what it holds, for messages
     * @param replicas replica count
     * @param storage  file or memory
     */
    record BucketSpec(String name, String purpose, int replicas, StorageType storage) {
    }

    /**
     * Creates the bucket if it does not exist, else checks it.
     *
     * @throws NatsConfigurationException if an existing bucket does not fit
     */
    static void ensureBucket(KeyValueManagement kvm, BucketSpec spec) throws IOException, JetStreamApiException {
        KeyValueStatus status;
        try {
            status = kvm.getStatus(spec.name());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NatsSupport.STREAM_NOT_FOUND) {
                throw e;
            }
            try {
                status = kvm.create(KeyValueConfiguration.builder()
                        .name(spec.name())
                        .description("Relato " + spec.purpose())
                        .maxHistoryPerKey(1)
                        .storageType(spec.storage())
                        .replicas(spec.replicas())
                        .build());
                LOG.info("created JetStream key-value bucket '{}' for {}", spec.name(), spec.purpose());
            } catch (JetStreamApiException race) {
                if (CANNOT_PROVIDE.contains(race.getApiErrorCode())) {
                    throw cannotProvide("key-value bucket '" + spec.name() + "'", spec.replicas(), spec.storage(), race);
                }
                if (race.getApiErrorCode() != NatsSupport.STREAM_NAME_IN_USE) {
                    throw race;
                }
                status = kvm.getStatus(spec.name());
            }
        }
        List<String> problems = new ArrayList<>();
        if (status.getTtl() != null && !status.getTtl().isZero()) {
            problems.add("its entries expire after " + status.getTtl() + "; they must not expire");
        }
        if (status.getMaxBucketSize() > 0) {
            problems.add("its size is limited to " + status.getMaxBucketSize() + " bytes; it must be unlimited");
        }
        if (status.getStorageType() != spec.storage()) {
            problems.add("storage is " + status.getStorageType() + " but the store is configured for " + spec.storage());
        }
        if (status.getReplicas() != spec.replicas()) {
            problems.add("it has " + status.getReplicas() + " replica(s) but the store is configured for " + spec.replicas());
        }
        if (!problems.isEmpty()) {
            throw new NatsConfigurationException("JetStream key-value bucket '" + spec.name() + "' (" + spec.purpose()
                    + ") exists but cannot be used: " + String.join("; ", problems)
                    + ". Edit or delete the bucket, configure the store to match, or use another bucket name.");
        }
    }
}
