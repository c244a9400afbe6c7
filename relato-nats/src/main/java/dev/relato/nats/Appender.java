package dev.relato.nats;

import dev.relato.AppendResult;
import dev.relato.DuplicateEventException;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.InvalidEventException;
import dev.relato.RetryPolicy;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamDeletedException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.observe.RelatoObserver;
import dev.relato.spi.AppendSignal;
import dev.relato.spi.AppendValidation;
import dev.relato.spi.RetryState;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path of {@link NatsEventStore}: one append, from its checks to the confirmation of its event id
 * claims. In order: read the stream's last message; recognise a retry of that very append; check the expected
 * version; claim every event id ({@link EventIdClaims}); publish one message requiring the stream's last
 * message to be unchanged; confirm the claims. An append that another writer overtakes between reading and
 * publishing reads again and retries under a {@link RetryPolicy} when its expectation allows (any, stream
 * exists), and fails with {@link WrongExpectedVersionException} otherwise. Thread-safe.
 */
final class Appender {
    private static final Logger LOG = LoggerFactory.getLogger(Appender.class);
    /** Room kept in a message for its headers. */
    static final int HEADER_ALLOWANCE = 1024;
    /** Appends a retry looks back through for itself when its version check fails and no claim names it. */
    private static final int PLACE_SEARCH_LIMIT = 10;
    /** Messages looked through to say where another append that claimed an id stored it. */
    private static final int DETAIL_SEARCH_LIMIT = 16;

    /** Points in an append where tests observe or interrupt it. */
    interface Probe {
        Probe NONE = new Probe() {
        };

        /** The event ids are claimed and the message is about to be published. */
        default void beforePublish(StreamId stream) {
        }

        /** The message is stored at {@code sequence}; its claims are not confirmed yet. */
        default void published(StreamId stream, long sequence) {
        }
    }

    private final JetStream js;
    private final StoredLog log;
    private final EventIdClaims claims;
    private final String streamName;
    private final long maxPayload;
    private final int maxEventBytes;
    private final RetryPolicy contention;
    private final AppendSignal signal;
    private final RelatoObserver observer;
    private volatile Probe probe = Probe.NONE;

    Appender(JetStream js, StoredLog log, EventIdClaims claims, String streamName, long maxPayload, int maxEventBytes,
             RetryPolicy contention, AppendSignal signal, RelatoObserver observer) {
        this.js = js;
        this.log = log;
        this.claims = claims;
        this.streamName = streamName;
        this.maxPayload = maxPayload;
        this.maxEventBytes = maxEventBytes;
        this.contention = contention;
        this.signal = signal;
        this.observer = observer;
    }

    void probe(Probe observer) {
        this.probe = observer;
    }

    /**
     * Appends, as {@link dev.relato.EventStore#append} describes. Failures of the client are thrown as the client
     * reports them ({@link IOException}, {@link JetStreamApiException}, {@link InterruptedException}); the caller
     * maps them to the failure model.
     */
    AppendResult append(StreamId stream, ExpectedVersion expected, List<EventData> events)
            throws IOException, JetStreamApiException, InterruptedException {
        AppendValidation.validate(stream, expected, events, maxEventBytes);
        if (events.size() > StoredBatch.MAX_EVENTS) {
            throw new InvalidEventException("append to stream '" + stream + "' has " + events.size()
                    + " events; this store takes at most " + StoredBatch.MAX_EVENTS + " per append. Split it into several appends");
        }
        byte[] body = BatchCodec.encodeEvents(events);
        if (body.length + HEADER_ALLOWANCE > maxPayload) {
            throw new InvalidEventException("append of " + events.size() + " events to stream '" + stream + "' encodes to "
                    + body.length + " bytes, more than fits in one message of this NATS server (max payload " + maxPayload
                    + " bytes); append fewer or smaller events");
        }
        return new Attempt(stream, expected, events.stream().map(EventData::eventId).toList(), body).run();
    }

    /** One call of {@link #append}: what it appends, and the claims it holds. */
    private final class Attempt {
        private final StreamId stream;
        private final ExpectedVersion expected;
        private final List<UUID> ids;
        private final byte[] body;
        private final String subject;
        private final EventIdClaims.Claimant claimant;
        /** Claims this attempt wrote, with their revisions: released if it stores nothing. */
        private final Map<UUID, Long> held = new LinkedHashMap<>();
        /** The message of this append, if an attempt stored it, follows this sequence of its stream. */
        private long searchFrom = Long.MAX_VALUE;

        Attempt(StreamId stream, ExpectedVersion expected, List<UUID> ids, byte[] body) {
            this.stream = stream;
            this.expected = expected;
            this.ids = ids;
            this.body = body;
            this.subject = log.subject(stream);
            this.claimant = EventIdClaims.Claimant.of(subject, ids);
        }

        AppendResult run() throws IOException, JetStreamApiException, InterruptedException {
            Optional<StoredBatch> last = log.lastBatch(subject);
            refuseTombstone(last);
            if (last.isPresent() && last.get().eventIds().equals(ids)) {
                return settle(last.get()); // a retry of the stream's last append
            }
            long current = last.map(StoredBatch::lastVersion).orElse(0L);
            if (!expected.matches(current)) {
                Optional<StoredBatch> stored = storedEarlier(last);
                if (stored.isPresent()) {
                    return settle(stored.get());
                }
                throw new WrongExpectedVersionException(stream, expected, current);
            }
            long previous = last.map(StoredBatch::sequence).orElse(0L);
            searchFrom = previous;
            Optional<StoredBatch> stored = claim(previous);
            if (stored.isPresent()) {
                return settle(stored.get());
            }
            return publish(previous, current);
        }

        /** Refuses the append if its stream's last message is a tombstone; it has claimed nothing yet. */
        private void refuseTombstone(Optional<StoredBatch> last) {
            if (last.isPresent() && last.get().kind() == StoredBatch.Kind.TOMBSTONE) {
                throw new StreamDeletedException(stream);
            }
        }

        /**
         * The message id JetStream deduplicates on: the first event id, the stream and the message it follows, so
         * that a re-publish of this append at this place is dropped, while the same ids appended again after the
         * stream holding them was deleted are not mistaken for it.
         */
        private String messageId(long previous) {
            return ids.get(0) + ":" + previous + ":" + subject;
        }

        /**
         * The version check failed: this append may be a retry of one stored earlier (its claims say where, or,
         * for appends stored before claims existed, it sits right after the expected version). Throws
         * {@link DuplicateEventException} if another append holds one of its ids.
         */
        private Optional<StoredBatch> storedEarlier(Optional<StoredBatch> last)
                throws IOException, JetStreamApiException, InterruptedException {
            List<EventIdClaims.Claim> found = claims.lookUp(ids);
            for (int i = 0; i < ids.size(); i++) {
                EventIdClaims.Claim claim = found.get(i);
                if (claim instanceof EventIdClaims.Stored s) {
                    Optional<StoredBatch> batch = log.batchAt(s.sequence());
                    if (batch.isPresent()) {
                        return batch;
                    }
                } else if (claim instanceof EventIdClaims.Pending p) {
                    if (!p.by().equals(claimant)) {
                        throw claimedElsewhere(ids.get(i), p);
                    }
                    Optional<StoredBatch> mine = findOwn(p.previousSequence());
                    if (mine.isPresent()) {
                        return mine;
                    }
                }
            }
            return findAtPlace(last);
        }

        /**
         * Claims every id. Returns the message of this very append if an earlier attempt stored it; throws
         * {@link DuplicateEventException} if another append holds an id.
         */
        private Optional<StoredBatch> claim(long previous) throws IOException, JetStreamApiException, InterruptedException {
            List<Optional<Long>> created = claims.create(ids, claimant, previous);
            for (int i = 0; i < ids.size(); i++) {
                if (created.get(i).isPresent()) {
                    held.put(ids.get(i), created.get(i).get());
                }
            }
            for (int i = 0; i < ids.size(); i++) {
                if (created.get(i).isEmpty()) {
                    Optional<StoredBatch> stored = take(ids.get(i), previous);
                    if (stored.isPresent()) {
                        return stored;
                    }
                }
            }
            return Optional.empty();
        }

        /** Takes over the key of an id that already has one, unless it says the id is stored or claimed. */
        private Optional<StoredBatch> take(UUID id, long previous)
                throws IOException, JetStreamApiException, InterruptedException {
            for (int round = 0; round < 3; round++) {
                EventIdClaims.Claim claim = claims.lookUp(List.of(id)).get(0);
                long keep = previous;
                if (claim instanceof EventIdClaims.Stored s) {
                    Optional<StoredBatch> batch = log.batchAt(s.sequence());
                    if (batch.isPresent()) {
                        return batch;
                    }
                    LOG.warn("event id {} is recorded as stored in message {} of JetStream stream '{}', which does not "
                            + "exist; claiming it again", id, s.sequence(), streamName);
                } else if (claim instanceof EventIdClaims.Pending p) {
                    if (!p.by().equals(claimant)) {
                        throw claimedElsewhere(id, p);
                    }
                    Optional<StoredBatch> mine = findOwn(p.previousSequence());
                    if (mine.isPresent()) {
                        return mine;
                    }
                    keep = p.previousSequence(); // an earlier attempt of this append: its message may follow this
                    searchFrom = Math.min(searchFrom, keep);
                }
                Optional<Long> revision = claims.replace(id, claimant, keep, claim.revision());
                if (revision.isPresent()) {
                    held.put(id, revision.get());
                    return Optional.empty();
                }
            }
            release();
            throw new StoreUnavailableException("the claim on event id " + id + " for the append to stream '" + stream
                    + "' kept changing under it; nothing was stored: retry the append with the same event ids", null);
        }

        private AppendResult publish(long previous, long current)
                throws IOException, JetStreamApiException, InterruptedException {
            RetryState retries = new RetryState(contention);
            long started = System.nanoTime();
            while (true) {
                Message message = NatsMessage.builder()
                        .subject(subject)
                        .headers(BatchCodec.headers(current + 1, current + ids.size(), previous))
                        .data(body)
                        .build();
                PublishOptions options = PublishOptions.builder()
                        .expectedStream(streamName)
                        .expectedLastSubjectSequence(previous)
                        .messageId(messageId(previous))
                        .build();
                probe.beforePublish(stream);
                PublishAck ack;
                try {
                    ack = js.publish(message, options);
                } catch (JetStreamApiException e) {
                    if (e.getApiErrorCode() != NatsSupport.WRONG_LAST_SEQUENCE) {
                        release(); // refused: nothing was stored
                        throw e;
                    }
                    Optional<StoredBatch> last = log.lastBatch(subject);
                    if (last.isPresent() && last.get().eventIds().equals(ids)) {
                        return settle(last.get()); // stored meanwhile by another attempt of this append
                    }
                    if (last.isPresent() && last.get().kind() == StoredBatch.Kind.TOMBSTONE) {
                        release();
                        refuseTombstone(last);
                    }
                    current = last.map(StoredBatch::lastVersion).orElse(0L);
                    Optional<Duration> wait = expected.matches(current) ? retries.failed() : Optional.empty();
                    if (wait.isEmpty()) {
                        Optional<StoredBatch> mine = findOwn(searchFrom);
                        if (mine.isPresent()) {
                            return settle(mine.get());
                        }
                        release();
                        if (!expected.matches(current)) {
                            throw new WrongExpectedVersionException(stream, expected, current);
                        }
                        throw new StoreUnavailableException("the append to stream '" + stream + "' was overtaken by other "
                                + "writers " + retries.failures() + " times in " + Duration.ofNanos(System.nanoTime() - started)
                                .toMillis() + " ms, the limit of its retry policy; nothing was stored: retry it", null);
                    }
                    LOG.debug("stream '{}' moved on during append; reading it again", stream);
                    observer.publishRetried(NatsEventStore.STORE);
                    TimeUnit.NANOSECONDS.sleep(wait.get().toNanos());
                    previous = last.map(StoredBatch::sequence).orElse(0L);
                    continue;
                }
                if (ack.isDuplicate()) { // JetStream knows the first event id from an earlier publish
                    return settle(log.requireBatchAt(ack.getSeqno()));
                }
                long sequence = ack.getSeqno();
                probe.published(stream, sequence);
                claims.confirm(held, sequence);
                signal.fire();
                // The recorded time is the server's: read the message back for it.
                return AppendResult.of(log.requireBatchAt(sequence).events(), false);
            }
        }

        /**
         * This append's message among the subject's messages after {@code after}, walking back from the last:
         * an earlier attempt of it may have been stored without confirming its claims.
         */
        private Optional<StoredBatch> findOwn(long after) throws IOException, JetStreamApiException, InterruptedException {
            return findAppend(claimant, after, Integer.MAX_VALUE);
        }

        /**
         * The version check failed and no claim names a stored message: an append stored before claims existed
         * may still be this one, right after the expected version.
         */
        private Optional<StoredBatch> findAtPlace(Optional<StoredBatch> last)
                throws IOException, JetStreamApiException, InterruptedException {
            long before;
            if (expected instanceof ExpectedVersion.Exactly exactly) {
                before = exactly.version();
            } else if (expected == ExpectedVersion.noStream()) {
                before = 0;
            } else {
                return Optional.empty();
            }
            Optional<StoredBatch> batch = last;
            for (int steps = 0; batch.isPresent() && steps < PLACE_SEARCH_LIMIT; steps++) {
                StoredBatch b = batch.get();
                if (b.firstVersion() == before + 1) {
                    return b.eventIds().equals(ids) ? batch : Optional.empty();
                }
                if (b.firstVersion() <= before || b.previousSequence() == 0) {
                    return Optional.empty();
                }
                batch = log.batchAt(b.previousSequence()); // gone if the stream was truncated there
            }
            return Optional.empty();
        }

        /**
         * The result for a message holding some of this append's ids: the original result if it is this very
         * append at a place the expectation allows; otherwise the append is refused as a duplicate.
         */
        private AppendResult settle(StoredBatch original) throws InterruptedException {
            List<UUID> stored = original.eventIds();
            if (original.stream().equals(stream) && stored.equals(ids) && expected.matches(original.firstVersion() - 1)) {
                Map<UUID, Long> all = new LinkedHashMap<>();
                ids.forEach(id -> all.put(id, KeyValueBucket.ANY_REVISION)); // the message proves them stored
                claims.confirm(all, original.sequence());
                return AppendResult.of(original.events(), true);
            }
            release();
            UUID clash = ids.stream().filter(stored::contains).findFirst().orElse(ids.get(0));
            long version = original.firstVersion() + Math.max(0, stored.indexOf(clash));
            String detail = "in stream '" + original.stream() + "' at version " + version;
            if (original.stream().equals(stream) && stored.equals(ids)) {
                detail += " (this whole append is stored after version " + (original.firstVersion() - 1)
                        + ", which the expected version " + expected + " does not allow)";
            } else if (original.stream().equals(stream)) {
                detail += " (stored by an append of " + stored.size() + " events that is not this one)";
            }
            throw new DuplicateEventException(stream, clash, detail);
        }

        /** Another append claimed {@code id}: this one is a duplicate, whether that append was stored or not. */
        private DuplicateEventException claimedElsewhere(UUID id, EventIdClaims.Pending claim)
                throws IOException, JetStreamApiException, InterruptedException {
            release();
            String where = log.streamOf(claim.by().subject()).map(s -> "stream '" + s + "'").orElse(claim.by().subject());
            Optional<StoredBatch> theirs = findAppend(claim.by(), claim.previousSequence(), DETAIL_SEARCH_LIMIT);
            if (theirs.isPresent()) {
                StoredBatch b = theirs.get();
                claims.confirm(Map.of(id, claim.revision()), b.sequence());
                return new DuplicateEventException(stream, id, "in " + where + " at version "
                        + (b.firstVersion() + Math.max(0, b.eventIds().indexOf(id))));
            }
            return new DuplicateEventException(stream, id, "or claimed: an append to " + where + " holds it and has not "
                    + "completed (it is in progress, or was interrupted and completes when it is retried)");
        }

        /** Withdraws the claims this attempt made: it stored nothing. */
        private void release() throws InterruptedException {
            if (!held.isEmpty()) {
                claims.release(held);
                held.clear();
            }
        }
    }

    /**
     * The message {@code who} stored among the messages of its subject after sequence {@code after}, walking
     * back from the subject's last message through at most {@code limit} messages.
     */
    private Optional<StoredBatch> findAppend(EventIdClaims.Claimant who, long after, int limit)
            throws IOException, JetStreamApiException, InterruptedException {
        Optional<StoredBatch> batch = log.lastBatch(who.subject());
        for (int steps = 0; batch.isPresent() && batch.get().sequence() > after && steps < limit; steps++) {
            StoredBatch b = batch.get();
            if (who.wrote(b, who.subject())) {
                return batch;
            }
            batch = b.previousSequence() > after ? log.batchAt(b.previousSequence()) : Optional.empty();
        }
        return Optional.empty();
    }
}
