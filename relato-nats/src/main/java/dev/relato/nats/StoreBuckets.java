package dev.relato.nats;

import dev.relato.projection.CheckpointStore;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The key-value stores that live beside a {@link NatsEventStore}'s events: snapshots, checkpoints, dead letters,
 * projection leases, data keys and deadlines, each in a bucket named after the event stream ({@code <stream>-snapshots} …). A bucket is
 * created or checked on first use, on the store's connection with its settings, and kept; a failure to open one is
 * thrown to that caller and tried again by the next. Thread-safe.
 */
final class StoreBuckets {

    /** The buckets, with what they hold and the suffix of their name. */
    enum Bucket {
        SNAPSHOTS("snapshots", "-snapshots"),
        CHECKPOINTS("projection checkpoints", "-checkpoints"),
        DEAD_LETTERS("dead letters of projections", "-dead-letters"),
        LEASES("projection leases", "-leases"),
        DATA_KEYS("data keys of personal data", "-data-keys"),
        DEADLINES("deadlines of process managers", "-deadlines");

        private final String purpose;
        private final String suffix;

        Bucket(String purpose, String suffix) {
            this.purpose = purpose;
            this.suffix = suffix;
        }

        String purpose() {
            return purpose;
        }

        String suffix() {
            return suffix;
        }
    }

    private final Function<Bucket, BucketSettings.Opened> opener;
    private final Map<Bucket, BucketSettings.Opened> opened = new EnumMap<>(Bucket.class); // guarded by this
    private final Map<String, NatsProjectionLeases> leases = new HashMap<>(); // guarded by this
    private NatsSnapshotStore snapshots; // guarded by this
    private NatsCheckpointStore checkpoints; // guarded by this
    private NatsDeadLetterStore deadLetters; // guarded by this
    private NatsDataKeyStore dataKeys; // guarded by this
    private NatsDeadlineStore deadlines; // guarded by this

    /** @param opener creates or checks a bucket and opens it on the event store's connection */
    StoreBuckets(Function<Bucket, BucketSettings.Opened> opener) {
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    synchronized NatsSnapshotStore snapshots() {
        if (snapshots == null) {
            snapshots = new NatsSnapshotStore(open(Bucket.SNAPSHOTS));
        }
        return snapshots;
    }

    synchronized NatsCheckpointStore checkpoints() {
        if (checkpoints == null) {
            checkpoints = new NatsCheckpointStore(open(Bucket.CHECKPOINTS));
        }
        return checkpoints;
    }

    synchronized NatsDeadLetterStore deadLetters() {
        if (deadLetters == null) {
            deadLetters = new NatsDeadLetterStore(open(Bucket.DEAD_LETTERS));
        }
        return deadLetters;
    }

    synchronized NatsDataKeyStore dataKeys() {
        if (dataKeys == null) {
            dataKeys = new NatsDataKeyStore(open(Bucket.DATA_KEYS));
        }
        return dataKeys;
    }

    synchronized NatsDeadlineStore deadlines() {
        if (deadlines == null) {
            deadlines = new NatsDeadlineStore(open(Bucket.DEADLINES));
        }
        return deadlines;
    }

    /** The leases of a node: one instance per node id, so that the runners of a node share what it has seen. */
    synchronized NatsProjectionLeases leases(String nodeId) {
        CheckpointStore.validateName(nodeId);
        NatsProjectionLeases node = leases.get(nodeId);
        if (node == null) {
            node = new NatsProjectionLeases(open(Bucket.LEASES), nodeId);
            leases.put(nodeId, node);
        }
        return node;
    }

    private BucketSettings.Opened open(Bucket bucket) {
        BucketSettings.Opened bucketOpened = opened.get(bucket);
        if (bucketOpened == null) {
            bucketOpened = opener.apply(bucket);
            opened.put(bucket, bucketOpened);
        }
        return bucketOpened;
    }
}
