package dev.relato.nats;

import dev.relato.EventFilter;
import dev.relato.RecordedEvent;
import dev.relato.RetryPolicy;
import dev.relato.StoreFailureException;
import dev.relato.StreamId;
import dev.relato.StreamNotice;
import dev.relato.spi.RetryState;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.PurgeOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages of a {@link NatsEventStore}'s JetStream stream, as {@link StoredBatch appends}: one by
 * sequence, the last of an event stream, the next of an event stream from a sequence, and pages of the
 * global log. Every read is a message get answered by the stream leader ({@link MessageRequests}); none
 * creates a consumer, so no read waits on a consumer's delivery. Thread-safe.
 *
 * <p>The global log is read by sequence, a window of gets in flight at once. Messages are removed only by
 * {@link StreamRemover}, which purges them; the stream's state counts the sequences removed. While it counts none,
 * a sequence below the stream's last that answers "no message" is asked again a few times (a server under load can
 * fail a lookup), then reported as a {@link StoreFailureException} rather than skipped, because skipping it would
 * hide committed events; once messages have been removed, a missing sequence is skipped. Events a truncation hides
 * ({@link Truncations}) are left out.
 */
final class StoredLog {
    private static final Logger LOG = LoggerFactory.getLogger(StoredLog.class);
    /** The token after the prefix of the subjects of truncation notices. */
    private static final String NOTICES = "._notices.";
    /** Gets of a page read in flight at once. */
    private static final int WINDOW = 32;
    /** How a message that must exist is asked for again before it is reported missing. */
    private static final RetryPolicy MISSING = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(50),
            Duration.ofSeconds(1));

    private final MessageRequests requests;
    private final JetStreamManagement jsm;
    private final String streamName;
    private final String prefix;
    private final Truncations truncations;

    StoredLog(MessageRequests requests, JetStreamManagement jsm, String streamName, String prefix,
              Truncations truncations) {
        this.requests = requests;
        this.truncations = truncations;
        this.jsm = jsm;
        this.streamName = streamName;
        this.prefix = prefix;
    }

    /** The subjects of every event stream of the store. */
    String subjects() {
        return prefix + ".>";
    }

    /**
     * The subject of the notices of an event stream's truncations: {@code prefix._notices.category.base64url(id)}.
     * No category starts with {@code _}, so it is never an event stream's subject.
     */
    String noticeSubject(StreamId stream) {
        return prefix + NOTICES + stream.category() + '.' + Names.encode(stream.id());
    }

    /** The notice a message on a notice subject gives, if it is on one. */
    private Optional<StreamNotice> noticeOf(MessageInfo m) {
        String subject = m.getSubject();
        if (subject == null || !subject.startsWith(prefix + NOTICES)) {
            return Optional.empty();
        }
        StreamId stream = Names.parseStreamKey(subject.substring(prefix.length() + NOTICES.length()));
        return Optional.of(new StreamNotice(stream, StreamNotice.Kind.TRUNCATED,
                BatchCodec.keptFrom(m.getHeaders(), m.getSeq()), StoredBatch.position(m.getSeq(), 0),
                m.getTime().toInstant().truncatedTo(ChronoUnit.MICROS)));
    }

    /** The subject of an event stream: {@code prefix.category.base64url(id)}. */
    String subject(StreamId stream) {
        return prefix + '.' + stream.category() + '.' + Names.encode(stream.id());
    }

    /** Asks for the last message of a subject; {@link #batchOf(CompletableFuture)} reads the answer. */
    CompletableFuture<Message> askLast(String subject) {
        return requests.lastOf(streamName, subject);
    }

    /** Asks for the first message of a subject at or after a sequence. */
    CompletableFuture<Message> askNext(String subject, long sequence) {
        return requests.nextOf(streamName, subject, sequence);
    }

    /** The append in an answer, if there is one. */
    Optional<StoredBatch> batchOf(CompletableFuture<Message> answer)
            throws IOException, JetStreamApiException, InterruptedException {
        return requests.await(answer).flatMap(this::decode);
    }

    /** The last append of a stream (its subject), if any. */
    Optional<StoredBatch> lastBatch(String subject) throws IOException, JetStreamApiException, InterruptedException {
        return batchOf(askLast(subject));
    }

    /** The append stored at a JetStream sequence, if there is one. */
    Optional<StoredBatch> batchAt(long sequence) throws IOException, JetStreamApiException, InterruptedException {
        return batchOf(requests.at(streamName, sequence));
    }

    /**
     * The append at a sequence that an append links to.
     *
     * @throws StoreFailureException if it stays missing, or holds no append of this store
     */
    StoredBatch requireBatchAt(long sequence) throws IOException, JetStreamApiException, InterruptedException {
        return decode(requireMessageAt(sequence)).orElseThrow(() -> new StoreFailureException("message " + sequence
                + " of JetStream stream '" + streamName + "' is linked to by an append but is not one", null));
    }

    /**
     * The message at a sequence that must exist: an append links to it, or it lies below the stream's last
     * sequence while no message was ever removed from the stream.
     *
     * @throws StoreFailureException if it stays missing
     */
    private MessageInfo requireMessageAt(long sequence) throws IOException, JetStreamApiException, InterruptedException {
        RetryState retries = new RetryState(MISSING);
        while (true) {
            Optional<MessageInfo> message = requests.await(requests.at(streamName, sequence));
            if (message.isPresent()) {
                return message.get();
            }
            Optional<Duration> wait = retries.failed();
            if (wait.isEmpty()) {
                throw missing(sequence);
            }
            Thread.sleep(wait.get().toMillis());
        }
    }

    private StoreFailureException missing(long sequence) {
        return new StoreFailureException("message " + sequence + " of JetStream stream '" + streamName
                + "' is missing: messages have been deleted from the stream outside Relato", null);
    }

    /** The JetStream stream's state: first and last sequence, how many were removed. */
    StreamState state() throws IOException, JetStreamApiException {
        return jsm.getStreamInfo(streamName).getStreamState();
    }

    /** The truncations of the store's streams. */
    Truncations truncations() {
        return truncations;
    }

    /** The position of the newest event or notice of a removal; 0 if there is none. */
    long headPosition() throws IOException, JetStreamApiException, InterruptedException {
        StreamState state = state();
        for (long sequence = state.getLastSequence(); sequence > 0 && sequence >= state.getFirstSequence(); sequence--) {
            Optional<MessageInfo> m = requests.await(requests.at(streamName, sequence));
            if (m.isEmpty()) {
                continue;
            }
            Optional<StreamNotice> notice = noticeOf(m.get());
            if (notice.isPresent()) {
                return notice.get().position();
            }
            Optional<StoredBatch> b = decode(m.get());
            if (b.isPresent() && !b.get().isRemoval()) {
                return b.get().lastPosition();
            }
            if (b.isPresent() && b.get().notice().isPresent()) {
                return b.get().notice().get().position();
            }
        }
        return 0;
    }

    /**
     * Removes the messages of one event stream below a sequence.
     *
     * @return how many messages were removed
     */
    long purge(String subject, long beforeSequence) throws IOException, JetStreamApiException {
        if (beforeSequence <= 1) {
            return 0; // JetStream reads a purge up to sequence 1 as a purge of the whole subject
        }
        return jsm.purgeStream(streamName, PurgeOptions.builder().subject(subject).sequence(beforeSequence).build())
                .getPurged();
    }

    /** Whether messages have been removed from the stream, so that the one at {@code sequence} may be gone. */
    private boolean removedSince(long sequence) throws IOException, JetStreamApiException {
        StreamState now = state();
        return now.getDeletedCount() > 0 || sequence < now.getFirstSequence();
    }

    /** A sequence asked for and its answer. */
    private record Asked(long sequence, CompletableFuture<Message> answer) {
    }

    /**
     * One page of the global log, as {@link dev.relato.spi.LogReader#readPage} describes: the messages from
     * the one holding {@code afterPosition} up to the stream's last, read by sequence with {@value #WINDOW}
     * gets in flight; filtered here.
     */
    List<RecordedEvent> readPage(long afterPosition, EventFilter filter, int max)
            throws IOException, JetStreamApiException, InterruptedException {
        List<RecordedEvent> out = new ArrayList<>();
        StreamState state = state();
        boolean removals = state.getDeletedCount() > 0;
        long next = Math.max(Math.max(1, state.getFirstSequence()), StoredBatch.sequenceOf(afterPosition));
        long last = state.getLastSequence();
        Map<StreamId, Truncations.Floor> floors = truncations.all();
        ArrayDeque<Asked> window = new ArrayDeque<>();
        try {
            while (out.size() < max && (next <= last || !window.isEmpty())) {
                while (window.size() < WINDOW && next <= last) {
                    window.add(new Asked(next, requests.at(streamName, next)));
                    next++;
                }
                Asked asked = window.poll();
                Optional<MessageInfo> message = requests.await(asked.answer());
                if (message.isEmpty() && (removals || (removals = removedSince(asked.sequence())))) {
                    continue; // removed by a delete or truncation
                }
                MessageInfo info = message.isPresent() ? message.get() : requireMessageAt(asked.sequence());
                Optional<StreamNotice> truncation = noticeOf(info);
                Optional<StoredBatch> batch = truncation.isPresent() ? Optional.empty() : decode(info);
                Optional<StreamNotice> notice = truncation.or(() -> batch.flatMap(StoredBatch::notice));
                if (notice.isPresent()) {
                    RecordedEvent record = notice.get().toRecord();
                    if (record.position() > afterPosition && filter.matches(record)) {
                        out.add(record);
                    }
                    continue;
                }
                if (batch.isEmpty() || !wanted(batch.get().stream(), filter)) {
                    continue;
                }
                Truncations.Floor floor = floors.get(batch.get().stream());
                for (RecordedEvent e : batch.get().events()) {
                    if (floor != null && floor.hides(asked.sequence(), e.streamVersion())) {
                        continue;
                    }
                    if (e.position() > afterPosition && filter.matches(e) && out.size() < max) {
                        out.add(e);
                    }
                }
            }
        } finally {
            window.forEach(a -> a.answer().cancel(false));
        }
        return out;
    }

    private static boolean wanted(StreamId stream, EventFilter filter) {
        return filter.categories().isEmpty() || filter.categories().contains(stream.category());
    }

    /** The event stream a subject belongs to, if it is one of this store's. */
    Optional<StreamId> streamOf(String subject) {
        if (subject == null || !subject.startsWith(prefix) || subject.length() <= prefix.length() + 1
                || subject.charAt(prefix.length()) != '.' || subject.startsWith(prefix + NOTICES)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Names.parseStreamKey(subject.substring(prefix.length() + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The append a message holds; empty for a message on a subject that is no event stream of this store.
     *
     * @throws StoreFailureException if it is on an event stream's subject but is not a Relato append
     */
    private Optional<StoredBatch> decode(MessageInfo m) {
        Optional<StreamId> stream = streamOf(m.getSubject());
        if (stream.isEmpty()) {
            LOG.debug("skipping message {} on subject {}: not an event stream of this store", m.getSeq(), m.getSubject());
            return Optional.empty();
        }
        try {
            return Optional.of(BatchCodec.decode(streamName, stream.get(), m.getSeq(), m.getTime().toInstant(),
                    m.getHeaders(), m.getData()));
        } catch (IllegalArgumentException e) {
            throw new StoreFailureException("JetStream stream '" + streamName + "' holds a message on subject "
                    + m.getSubject() + " that is not a Relato append: " + e.getMessage(), e);
        }
    }
}
