package dev.relato.nats;

import dev.relato.ExpectedVersion;
import dev.relato.RetryPolicy;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.spi.RetryState;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Deletes, tombstones and truncates the event streams of a {@link NatsEventStore}, as
 * {@link dev.relato.StreamOperations} describes. Thread-safe.
 *
 * <ul>
 *   <li><b>Delete and tombstone</b>: after checking the expected version against the stream's last message, a
 *       message marking the stream deleted (or tombstoned) is published on the stream's subject, requiring that
 *       last message to be unchanged: like an append, it is refused if another writer got in between, and then
 *       checked again. From then on the stream reads as empty at version 0, and an append that read the stream
 *       before finds its expected last message gone and reads it again. Then every message of the subject below
 *       the mark is purged and the claims on their event ids are released. The mark stays: a later append links to
 *       it and starts at version 1, unless it is a tombstone, which refuses every append. A delete interrupted
 *       after its mark (the call failed) is completed by calling it again.</li>
 *   <li><b>Truncate</b>: the new floor of the stream ({@link Truncations}) is recorded first, hiding the removed
 *       events from every read, then the messages entirely below the first kept version are purged and their
 *       claims released. Events that share an append's message with kept events stay in that message and stay
 *       hidden; they are purged with it when the stream is truncated past it or deleted.</li>
 *   <li><b>Notices</b> ({@link dev.relato.StreamNotice}): the mark of a delete or tombstone that removes events is its
 *       notice (a mark of a stream without events says so in a header and is none). A truncation that removes events
 *       publishes its notice on the stream's notice subject ({@link StoredLog#noticeSubject}) before it raises the
 *       floor, so that an interrupted truncation never leaves its removal untold.</li>
 * </ul>
 */
final class StreamRemover {
    /** Claims looked up at once when they are released. */
    private static final int RELEASE_CHUNK = 256;

    private final JetStream js;
    private final StoredLog log;
    private final EventIdClaims claims;
    private final String streamName;
    private final RetryPolicy contention;

    StreamRemover(JetStream js, StoredLog log, EventIdClaims claims, String streamName, RetryPolicy contention) {
        this.js = js;
        this.log = log;
        this.claims = claims;
        this.streamName = streamName;
        this.contention = contention;
    }

    /**
     * Deletes a stream, for good if {@code tombstone}.
     *
     * @return how many events were removed
     */
    long delete(StreamId stream, ExpectedVersion expected, boolean tombstone)
            throws IOException, JetStreamApiException, InterruptedException {
        String subject = log.subject(stream);
        RetryState retries = new RetryState(contention);
        while (true) {
            Optional<StoredBatch> last = log.lastBatch(subject);
            if (last.isPresent() && last.get().kind() == StoredBatch.Kind.TOMBSTONE) {
                return completeRemoval(stream, subject, last.get().sequence()); // 0 unless one was interrupted
            }
            long current = last.map(StoredBatch::lastVersion).orElse(0L);
            if (!expected.matches(current)) {
                throw new WrongExpectedVersionException(stream, expected, current);
            }
            if (!tombstone && last.isEmpty()) {
                return 0;
            }
            if (!tombstone && last.get().isRemoval()) {
                return completeRemoval(stream, subject, last.get().sequence()); // 0 unless one was interrupted
            }
            long previous = last.map(StoredBatch::sequence).orElse(0L);
            Optional<Long> mark = publishMark(subject, previous, tombstone,
                    last.isPresent() && !last.get().isRemoval());
            if (mark.isPresent()) {
                return completeRemoval(stream, subject, mark.get());
            }
            Optional<Duration> wait = retries.failed();
            if (wait.isEmpty()) {
                throw new StoreUnavailableException("the delete of stream '" + stream + "' was overtaken by appends "
                        + retries.failures() + " times, the limit of the store's append retry policy; nothing was "
                        + "removed: retry it", null);
            }
            TimeUnit.NANOSECONDS.sleep(wait.get().toNanos());
        }
    }

    /** The mark's sequence, or empty if the stream's last message is no longer {@code previous}. */
    private Optional<Long> publishMark(String subject, long previous, boolean tombstone, boolean removesEvents)
            throws IOException, JetStreamApiException {
        NatsMessage message = NatsMessage.builder().subject(subject)
                .headers(BatchCodec.removalHeaders(tombstone, removesEvents)).data(new byte[0]).build();
        PublishOptions options = PublishOptions.builder().expectedStream(streamName)
                .expectedLastSubjectSequence(previous).build();
        try {
            PublishAck ack = js.publish(message, options);
            return Optional.of(ack.getSeqno());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NatsSupport.WRONG_LAST_SEQUENCE) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Removes the messages of a deleted stream below its mark: counts the events they showed, purges them, releases
     * their claims and forgets the stream's floor.
     */
    private long completeRemoval(StreamId stream, String subject, long mark)
            throws IOException, JetStreamApiException, InterruptedException {
        Optional<Truncations.Floor> floor = log.truncations().of(stream);
        List<StoredBatch> removed = messagesBelow(subject, mark);
        if (removed.isEmpty()) {
            return 0;
        }
        long count = 0;
        for (StoredBatch b : removed) {
            count += visibleBelow(b, Long.MAX_VALUE, floor);
        }
        log.purge(subject, mark);
        release(subject, removed);
        log.truncations().clear(stream);
        return count;
    }

    /**
     * Removes the events of a stream below {@code version}, keeping at least its last event.
     *
     * @return how many events were removed
     */
    long truncateBefore(StreamId stream, long version) throws IOException, JetStreamApiException, InterruptedException {
        String subject = log.subject(stream);
        Optional<StoredBatch> last = log.lastBatch(subject);
        if (last.isEmpty() || last.get().isRemoval()) {
            return 0;
        }
        long keep = Math.min(version, last.get().lastVersion());
        Optional<Truncations.Floor> floor = log.truncations().of(stream);
        List<StoredBatch> chain = chainBack(last.get(), floor);
        StoredBatch first = chain.get(0);
        for (StoredBatch b : chain) {
            if (b.firstVersion() <= keep) {
                first = b; // holds version keep: the first message kept
                break;
            }
        }
        long count = 0;
        List<StoredBatch> below = new ArrayList<>();
        for (StoredBatch b : chain) {
            count += visibleBelow(b, keep, floor);
            if (b.sequence() < first.sequence()) {
                below.add(b);
            }
        }
        if (count == 0) {
            return 0;
        }
        // The notice first: a truncation interrupted after it is completed by calling it again (with a second notice).
        js.publish(NatsMessage.builder().subject(log.noticeSubject(stream)).headers(BatchCodec.truncationHeaders(keep))
                .data(new byte[0]).build(), PublishOptions.builder().expectedStream(streamName).build());
        log.truncations().raise(stream, new Truncations.Floor(first.sequence(), keep));
        log.purge(subject, first.sequence());
        release(subject, below);
        return count;
    }

    /**
     * The stream's messages from {@code last} back to the start of its chain: its first remaining message, the one
     * its floor starts at, or the first after a mark of deletion; newest first.
     */
    private List<StoredBatch> chainBack(StoredBatch last, Optional<Truncations.Floor> floor)
            throws IOException, JetStreamApiException, InterruptedException {
        long floorSequence = floor.map(Truncations.Floor::sequence).orElse(0L);
        List<StoredBatch> chain = new ArrayList<>();
        StoredBatch b = last;
        while (true) {
            chain.add(b);
            if (b.previousSequence() == 0 || b.sequence() <= floorSequence) {
                return chain;
            }
            Optional<StoredBatch> previous = log.batchAt(b.previousSequence());
            if (previous.isEmpty() || previous.get().isRemoval()) {
                return chain;
            }
            b = previous.get();
        }
    }

    /** The events of a message below {@code version} that reads showed, given the stream's floor. */
    private static long visibleBelow(StoredBatch b, long version, Optional<Truncations.Floor> floor) {
        long count = 0;
        for (long v = b.firstVersion(); v <= b.lastVersion() && v < version; v++) {
            if (floor.isEmpty() || !floor.get().hides(b.sequence(), v)) {
                count++;
            }
        }
        return count;
    }

    /** Every message of a subject below a sequence, oldest first. */
    private List<StoredBatch> messagesBelow(String subject, long sequence)
            throws IOException, JetStreamApiException, InterruptedException {
        List<StoredBatch> out = new ArrayList<>();
        long next = 1;
        while (next < sequence) {
            Optional<StoredBatch> b = log.batchOf(log.askNext(subject, next));
            if (b.isEmpty() || b.get().sequence() >= sequence) {
                break;
            }
            out.add(b.get());
            next = b.get().sequence() + 1;
        }
        return out;
    }

    private void release(String subject, List<StoredBatch> removed)
            throws IOException, JetStreamApiException, InterruptedException {
        List<StoredBatch> chunk = new ArrayList<>();
        int ids = 0;
        for (StoredBatch b : removed) {
            chunk.add(b);
            ids += b.size();
            if (ids >= RELEASE_CHUNK) {
                claims.releaseRemoved(subject, chunk);
                chunk.clear();
                ids = 0;
            }
        }
        if (!chunk.isEmpty()) {
            claims.releaseRemoved(subject, chunk);
        }
    }
}
