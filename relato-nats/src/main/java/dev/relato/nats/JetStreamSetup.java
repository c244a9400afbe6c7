package dev.relato.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.ClusterInfo;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueStatus;
import io.nats.client.api.Replica;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the JetStream streams and key-value buckets the stores need on first use, and checks existing
 * ones against what the store requires: no limits that could discard data, the right subjects, storage
 * type, replica count and duplicate window. A mismatch is reported with what the server has and how to make the two
 * agree, never silently changed; the one change made is lifting the denial of message deletes and purges from an
 * event stream created by earlier versions. Stateless and thread-safe.
 */
final class JetStreamSetup {
    private static final Logger LOG = LoggerFactory.getLogger(JetStreamSetup.class);
    /** JetStream API error: subjects overlap with an existing stream. */
    private static final int SUBJECTS_OVERLAP = 10065;
    /**
     * JetStream API errors refusing a configuration the server cannot provide: no suitable peers for the replicas,
     * insufficient resources, memory or storage limits exceeded, invalid configuration, replicas without a cluster.
     */
    private static final Set<Integer> CANNOT_PROVIDE = Set.of(10005, 10023, 10028, 10047, 10052, 10074);
    /** How long set-up waits for a replicated stream that was just created (by anyone) to elect its leader. */
    private static final Duration LEADER_WAIT = Duration.ofSeconds(5);

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
     * Creates the stream if it does not exist, else checks it. A stream created by earlier versions denies message
     * deletes and purges, which stream operations need: the denial is lifted if the server allows it.
     *
     * @return why messages cannot be removed from the stream, if they cannot: the server keeps the stream's
     *         {@code deny_delete} or {@code deny_purge}
     * @throws NatsConfigurationException if an existing stream does not fit
     */
    static Optional<String> ensureStream(JetStreamManagement jsm, StreamSpec spec)
            throws IOException, JetStreamApiException {
        StreamInfo info;
        try {
            info = jsm.getStreamInfo(spec.name());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NatsSupport.STREAM_NOT_FOUND) {
                throw e;
            }
            info = create(jsm, spec);
        }
        check(info.getConfiguration(), spec, info.getClusterInfo());
        awaitLeader(info, () -> jsm.getStreamInfo(spec.name()));
        return allowRemovals(jsm, info.getConfiguration());
    }

    /**
     * Lifts {@code deny_delete} and {@code deny_purge} from a stream that has them (as earlier versions created it),
     * if the server allows.
     *
     * @return what the server refused, naming the settings, if it did
     */
    private static Optional<String> allowRemovals(JetStreamManagement jsm, StreamConfiguration config)
            throws IOException, JetStreamApiException {
        if (!config.getDenyDelete() && !config.getDenyPurge()) {
            return Optional.empty();
        }
        List<String> denied = new ArrayList<>();
        if (config.getDenyDelete()) {
            denied.add("deny_delete");
        }
        if (config.getDenyPurge()) {
            denied.add("deny_purge");
        }
        try {
            jsm.updateStream(StreamConfiguration.builder(config).denyDelete(false).denyPurge(false).build());
            LOG.info("lifted {} from JetStream stream '{}' so that streams can be deleted and truncated", denied,
                    config.getName());
            return Optional.empty();
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NatsSupport.STREAM_NOT_FOUND) {
                throw e;
            }
            String why = "JetStream stream '" + config.getName() + "' was created with " + String.join(" and ", denied)
                    + " (as Relato did before it could delete and truncate streams), and the NATS server refuses to "
                    + "lift it: " + e.getErrorDescription() + " (JetStream error " + e.getApiErrorCode() + "). Appends "
                    + "and reads work; to delete or truncate streams, copy the events into a stream created by this "
                    + "version of Relato (their positions change, so projections are rebuilt there)";
            LOG.warn("{}", why);
            return Optional.of(why);
        }
    }

    /** A read of a stream's current state. */
    @FunctionalInterface
    private interface StreamLookup {
        StreamInfo get() throws IOException, JetStreamApiException;
    }

    /**
     * Waits (at most {@link #LEADER_WAIT}) until a replicated stream has a leader. One created a moment ago, here or
     * by another process, elects it within a second; until then JetStream drops the gets and writes sent to it,
     * which would each cost the caller a whole request timeout. A stream still without a leader after the wait is
     * left to the callers' failure handling (transient failures).
     */
    private static void awaitLeader(StreamInfo info, StreamLookup lookup)
            throws IOException, JetStreamApiException {
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        StreamInfo current = info;
        while (current.getClusterInfo() != null && current.getClusterInfo().getLeader() == null) {
            if (System.nanoTime() > deadline) {
                LOG.warn("JetStream stream '{}' has no leader yet; its first requests may fail and be retried",
                        current.getConfiguration().getName());
                return;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for stream '" + current.getConfiguration().getName()
                        + "' to elect a leader", e);
            }
            current = lookup.get();
        }
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
                .denyDelete(false)
                .denyPurge(false)
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
                + e.getApiErrorCode() + "). Configure what the server or cluster offers: a single server holds 1 replica, "
                + "a cluster as many as it has JetStream servers running", e);
    }

    /**
     * What to say when a stream (or a bucket's stream) has another replica count than the store is configured for:
     * both counts, where the replicas are, and the two ways to make them agree.
     */
    private static String replicaMismatch(String stream, int actual, int wanted, ClusterInfo cluster) {
        String where = cluster == null ? "" : " (cluster " + cluster.getName() + ": leader " + cluster.getLeader()
                + (cluster.getReplicas() == null || cluster.getReplicas().isEmpty() ? ""
                : ", replicas " + cluster.getReplicas().stream().map(Replica::getName).collect(Collectors.joining(", ")))
                + ")";
        return "it has " + actual + " replica(s)" + where + " but the store is configured for " + wanted
                + " (change the server's with nats stream edit " + stream + " --replicas " + wanted
                + ", which JetStream carries out without losing data, or configure the store with replicas(" + actual + "))";
    }

    static void check(StreamConfiguration actual, StreamSpec spec, ClusterInfo cluster) {
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
            problems.add(replicaMismatch(spec.name(), actual.getReplicas(), spec.replicas(), cluster));
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
            problems.add(replicaMismatch("KV_" + spec.name(), status.getReplicas(), spec.replicas(),
                    status.getBackingStreamInfo() == null ? null : status.getBackingStreamInfo().getClusterInfo()));
        }
        if (!problems.isEmpty()) {
            throw new NatsConfigurationException("JetStream key-value bucket '" + spec.name() + "' (" + spec.purpose()
                    + ") exists but cannot be used: " + String.join("; ", problems)
                    + ". Edit or delete the bucket, configure the store to match, or use another bucket name.");
        }
        awaitLeader(status.getBackingStreamInfo(), () -> kvm.getStatus(spec.name()).getBackingStreamInfo());
    }
}
