package dev.relato.nats;

import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.internal.LeaseRules;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.ProjectionLeases;
import io.nats.client.JetStreamApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ProjectionLeases} in a JetStream key-value bucket beside a {@link NatsEventStore}'s events
 * ({@link NatsEventStore#leases(String)}, bucket {@code <stream>-leases}): one key per lease name (its base64url
 * form) holding the holder's node id and the lease's duration. Taking, renewing and releasing a lease are
 * compare-and-sets on the key's revision, read from and checked by the leader of the bucket's stream, so at most
 * one node holds a lease at a time, on a cluster as on one server.
 *
 * <p><b>Expiry without comparing clocks.</b> A lease lapses when its holder stops renewing it. Nodes never compare
 * times with each other or with the servers: a node counts another node's lease as expired once it has seen the
 * same revision of it, unchanged, for the lease's duration by its own monotonic clock, and only then takes it over.
 * The holder counts its lease from the start of the call that wrote it, which comes before any other node can see
 * that write, so its lease ends before another node may take the lease, whatever the clocks show (they need only
 * run at the same rate). The price: a node that has just started sees a lease left by a holder that died as held
 * for up to one more lease duration, and {@link #owner(String)} reports that holder until then.
 *
 * <p>Thread-safe; one instance per node (the event store hands out one per node id), shared by the node's runners.
 * Transient failures surface as {@link StoreUnavailableException} and permanent ones as
 * {@link StoreFailureException}, by the allow-list and error classifier of the event store; a lease whose taking
 * failed transiently may have been taken, and the next call finds it this node's. Uses the event store's
 * connection, and works while the event store is open.
 */
public final class NatsProjectionLeases implements ProjectionLeases {
    private static final Logger LOG = LoggerFactory.getLogger(NatsProjectionLeases.class);
    /** Compare-and-sets lost to other nodes before a call settles for what it last read. */
    private static final int ATTEMPTS = 5;

    /** What a lease's key holds. */
    private record Lease(String node, long millis) {
    }

    /** A revision of a lease, and when this node first saw it (by {@link System#nanoTime()}). */
    private record Seen(long revision, long sinceNanos) {
    }

    private final KeyValueBucket kv;
    private final NatsFailures failures;
    private final String nodeId;
    private final ConcurrentMap<String, Seen> seen = new ConcurrentHashMap<>();

    NatsProjectionLeases(BucketSettings.Opened opened, String nodeId) {
        this.kv = opened.bucket();
        this.failures = opened.failures();
        this.nodeId = CheckpointStore.validateName(nodeId);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    /** The key-value bucket holding the leases. */
    public String bucket() {
        return kv.name();
    }

    @Override
    public boolean acquire(String name, Duration duration) {
        LeaseRules.checkAcquire(name, duration);
        String key = Names.encode(name);
        byte[] mine = encode(new Lease(nodeId, Math.max(1, duration.toMillis())));
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                long start = System.nanoTime();
                Optional<KeyValueBucket.Entry> entry = kv.get(key);
                Optional<Lease> lease = entry.flatMap(NatsProjectionLeases::parse);
                if (lease.isPresent() && !lease.get().node().equals(nodeId)
                        && !expired(name, entry.get().revision(), lease.get())) {
                    return false;
                }
                Optional<Long> revision = kv.update(key, mine, entry.map(KeyValueBucket.Entry::revision).orElse(0L));
                if (revision.isPresent()) {
                    seen.put(name, new Seen(revision.get(), start));
                    return true;
                }
            }
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("acquiring the lease of '" + name + "'", e);
        }
        return false; // other nodes kept writing it: one of them holds it
    }

    @Override
    public void release(String name) {
        CheckpointStore.validateName(name);
        String key = Names.encode(name);
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                Optional<KeyValueBucket.Entry> entry = kv.get(key);
                if (entry.flatMap(NatsProjectionLeases::parse).filter(l -> l.node().equals(nodeId)).isEmpty()) {
                    return;
                }
                if (kv.delete(key, entry.get().revision()).isPresent()) {
                    seen.remove(name);
                    return;
                }
            }
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("releasing the lease of '" + name + "'", e);
        }
    }

    /**
     * The node holding the lease as this node sees it: the last holder, until this node has seen the lease unchanged
     * for its duration (see the class comment).
     */
    @Override
    public Optional<String> owner(String name) {
        CheckpointStore.validateName(name);
        try {
            Optional<KeyValueBucket.Entry> entry = kv.get(Names.encode(name));
            Optional<Lease> lease = entry.flatMap(NatsProjectionLeases::parse);
            if (lease.isEmpty() || expired(name, entry.get().revision(), lease.get())) {
                return Optional.empty();
            }
            return Optional.of(lease.get().node());
        } catch (IOException | JetStreamApiException | InterruptedException | IllegalStateException e) {
            throw failures.translate("reading the lease of '" + name + "'", e);
        }
    }

    /**
     * Whether this node has seen {@code revision} of the lease for at least its duration; notes the revision, as
     * first seen now, if it is new to this node. "Now" is after the read that found it, so never before it was
     * written.
     */
    private boolean expired(String name, long revision, Lease lease) {
        long now = System.nanoTime();
        Seen first = seen.compute(name, (n, old) -> old != null && old.revision() == revision ? old
                : new Seen(revision, now));
        return now - first.sinceNanos() >= Duration.ofMillis(lease.millis()).toNanos();
    }

    private static byte[] encode(Lease lease) {
        return (lease.millis() + " " + lease.node()).getBytes(StandardCharsets.UTF_8);
    }

    /** The lease a key holds; empty if it has none (never taken, or released) or holds something unreadable. */
    private static Optional<Lease> parse(KeyValueBucket.Entry entry) {
        if (entry.deleted()) {
            return Optional.empty();
        }
        String text = new String(entry.value(), StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        try {
            if (space > 0 && space < text.length() - 1) {
                return Optional.of(new Lease(text.substring(space + 1), Long.parseLong(text.substring(0, space))));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.warn("lease under key '{}' (revision {}) is not readable; treating it as free", entry.key(), entry.revision());
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "NatsProjectionLeases[" + nodeId + " in " + kv.name() + "]";
    }
}
