package dev.relato.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.PublishAck;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claims on event ids: a key-value bucket ({@code <stream>-event-ids}) with one key per event id. An append
 * claims every id of its events with a compare-and-set create <em>before</em> it publishes; only one append
 * can create a key, so only one append can ever store an id. A claim is first {@link Pending}, naming the
 * append that made it and where its message can appear; once the message is stored the claim is
 * {@link Stored}, holding the message's sequence. The message is the truth: a pending claim whose append
 * was stored is recognised by finding its message, so a writer that dies between publishing and confirming
 * leaves nothing that could let the id be stored again.
 *
 * <p>Values are ASCII: a stored claim is the message sequence in decimal (as the index of earlier versions
 * held, which therefore reads as stored claims); a pending claim is
 * {@code pending <previous sequence> <first event id> <ids digest> <subject>}. A released claim is a delete
 * marker. Claims are read from the bucket's leader, and every write is a compare-and-set on the key's revision
 * ({@link KeyValueBucket}); the writes and lookups of one append travel together. Thread-safe.
 */
final class EventIdClaims {
    private static final Logger LOG = LoggerFactory.getLogger(EventIdClaims.class);
    private static final String PENDING = "pending";

    /**
     * Which append made a claim: its event stream's subject, its first event id and a digest of all its ids,
     * so that a retry of the very same append recognises its own claims and any other append does not.
     */
    record Claimant(String subject, UUID firstEventId, String idsDigest) {
        static Claimant of(String subject, List<UUID> ids) {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
            ByteBuffer bytes = ByteBuffer.allocate(16);
            for (UUID id : ids) {
                bytes.clear();
                bytes.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
                sha.update(bytes.array());
            }
            byte[] digest = sha.digest();
            return new Claimant(subject, ids.get(0), HexFormat.of().formatHex(digest, 0, 16));
        }

        /** Whether {@code batch}, on {@code batchSubject}, is the message of this append. */
        boolean wrote(StoredBatch batch, String batchSubject) {
            return subject.equals(batchSubject) && !batch.isRemoval() && equals(of(batchSubject, batch.eventIds()));
        }
    }

    /** What a key holds. */
    sealed interface Claim {
        /** The key's revision: its last message's sequence in the bucket's stream; 0 if it never had one. */
        long revision();
    }

    /** No claim: never made, or released (a delete marker). */
    record Free(long revision) implements Claim {
    }

    /** The id is stored in the event message at {@code sequence}. */
    record Stored(long sequence, long revision) implements Claim {
    }

    /**
     * An append claimed the id and has not confirmed it: it is about to publish, or was interrupted before
     * or after publishing. Its message, if stored, is on {@code by.subject()} after {@code previousSequence}.
     */
    record Pending(Claimant by, long previousSequence, long revision) implements Claim {
    }

    private final KeyValueBucket bucket;

    EventIdClaims(KeyValueBucket bucket) {
        this.bucket = bucket;
    }

    /**
     * Creates a pending claim on every id that has no key yet, all at once.
     *
     * @return for each id, in order, the revision of the claim created, or empty if the key exists
     */
    List<Optional<Long>> create(List<UUID> ids, Claimant by, long previousSequence)
            throws IOException, JetStreamApiException, InterruptedException {
        byte[] value = pending(by, previousSequence);
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>(ids.size());
        for (UUID id : ids) {
            acks.add(bucket.send(id.toString(), value, 0, false)); // revision 0: only if the key has no message
        }
        List<Optional<Long>> created = new ArrayList<>(ids.size());
        long deadline = bucket.deadline();
        for (CompletableFuture<PublishAck> ack : acks) {
            created.add(KeyValueBucket.revisionOf(ack, deadline));
        }
        return created;
    }

    /**
     * Replaces a claim, if the key is still at {@code revision}.
     *
     * @return the new revision, or empty if the key changed meanwhile
     */
    Optional<Long> replace(UUID id, Claimant by, long previousSequence, long revision)
            throws IOException, JetStreamApiException, InterruptedException {
        return bucket.update(id.toString(), pending(by, previousSequence), revision);
    }

    /** What the keys of these ids hold, looked up together. */
    List<Claim> lookUp(List<UUID> ids) throws IOException, JetStreamApiException, InterruptedException {
        List<CompletableFuture<Message>> answers = new ArrayList<>(ids.size());
        for (UUID id : ids) {
            answers.add(bucket.ask(id.toString()));
        }
        List<Claim> claims = new ArrayList<>(ids.size());
        for (CompletableFuture<Message> answer : answers) {
            claims.add(bucket.entryOf(answer).map(EventIdClaims::parse).orElse(new Free(0)));
        }
        return claims;
    }

    /**
     * Records that the ids are stored in the message at {@code sequence}, each only if its key is still at
     * the given revision, or whatever it holds if the revision is {@link KeyValueBucket#ANY_REVISION} (for ids the
     * message itself proves stored). Not awaited: a claim left pending is recognised from its message later.
     */
    void confirm(Map<UUID, Long> revisions, long sequence) {
        byte[] value = Long.toString(sequence).getBytes(StandardCharsets.US_ASCII);
        revisions.forEach((id, revision) -> bucket.send(id.toString(), value, revision, false).whenComplete((ack, error) -> {
            if (error != null) {
                LOG.debug("confirming the claim on event id {} failed; it stays pending and is resolved from its message",
                        id, error);
            }
        }));
    }

    /**
     * Frees the ids of removed messages of an event stream: each key that still records its id as stored in the removed
     * message, or as claimed by the append that message holds (a confirmation not yet written), is deleted, so the id
     * can be appended again. Keys that say anything else (claimed again meanwhile) are left alone.
     */
    void releaseRemoved(String subject, List<StoredBatch> removed)
            throws IOException, JetStreamApiException, InterruptedException {
        List<UUID> ids = new ArrayList<>();
        List<StoredBatch> holders = new ArrayList<>();
        for (StoredBatch batch : removed) {
            for (UUID id : batch.eventIds()) {
                ids.add(id);
                holders.add(batch);
            }
        }
        List<Claim> found = lookUp(ids);
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Claim claim = found.get(i);
            StoredBatch holder = holders.get(i);
            boolean held = claim instanceof Stored s ? s.sequence() == holder.sequence()
                    : claim instanceof Pending p && p.by().wrote(holder, subject);
            if (held) {
                acks.add(bucket.send(ids.get(i).toString(), new byte[0], claim.revision(), true));
            }
        }
        long deadline = bucket.deadline();
        for (CompletableFuture<PublishAck> ack : acks) {
            KeyValueBucket.revisionOf(ack, deadline); // empty if claimed again meanwhile, which is fine
        }
    }

    /**
     * Withdraws the claims this append made, each only if its key is still at the given revision, after the
     * append was refused and stored nothing. Failures are logged: a claim left behind only keeps the id for a
     * retry of the same append.
     */
    void release(Map<UUID, Long> revisions) throws InterruptedException {
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>(revisions.size());
        revisions.forEach((id, revision) -> acks.add(bucket.send(id.toString(), new byte[0], revision, true)));
        long deadline = bucket.deadline();
        for (CompletableFuture<PublishAck> ack : acks) {
            try {
                KeyValueBucket.revisionOf(ack, deadline);
            } catch (IOException | JetStreamApiException e) {
                LOG.debug("withdrawing an event id claim failed; it stays with the append that made it", e);
            }
        }
    }

    private static boolean isStoredValue(byte[] value) {
        return value.length > 0 && value[0] >= '0' && value[0] <= '9';
    }

    private static byte[] pending(Claimant by, long previousSequence) {
        return (PENDING + ' ' + previousSequence + ' ' + by.firstEventId() + ' ' + by.idsDigest() + ' ' + by.subject())
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** What a key's last message says; anything unreadable counts as free, so that it can be claimed again. */
    private static Claim parse(KeyValueBucket.Entry entry) {
        long revision = entry.revision();
        byte[] data = entry.value();
        if (entry.deleted() || data.length == 0) {
            return new Free(revision);
        }
        String text = new String(data, StandardCharsets.US_ASCII);
        try {
            if (isStoredValue(data)) {
                return new Stored(Long.parseLong(text), revision);
            }
            String[] parts = text.split(" ", 5);
            if (parts.length == 5 && parts[0].equals(PENDING)) {
                return new Pending(new Claimant(parts[4], UUID.fromString(parts[2]), parts[3]),
                        Long.parseLong(parts[1]), revision);
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("event id claim '{}' (revision {}) is not readable; treating the id as free", text, revision);
            return new Free(revision);
        }
        LOG.warn("event id claim '{}' (revision {}) is not readable; treating the id as free", text, revision);
        return new Free(revision);
    }
}
