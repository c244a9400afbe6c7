package dev.relato.nats;

import dev.relato.Direction;
import dev.relato.EventFilter;
import dev.relato.RecordedEvent;
import dev.relato.RelatoException;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.NUID;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side of {@link NatsEventStore}: finds and decodes the append messages of its JetStream stream.
 * One event stream is a subject whose messages link back to each other (each names its predecessor's
 * sequence), so the end of a stream is read by walking back from its last message, and a longer part by
 * scanning the subject with a short-lived consumer. The global log is read by sequence, with every request
 * of a short page sent at once, or by a consumer filtered to the subjects wanted. Thread-safe.
 */
final class StoredLog {
    private static final Logger LOG = LoggerFactory.getLogger(StoredLog.class);
    /** Events a stream read may gather by walking back message by message before it scans instead. */
    private static final int WALK_LIMIT = 10;
    /** Messages a page read fetches by sequence (all requests at once) before it uses a consumer. */
    private static final int DIRECT_READ_LIMIT = 16;
    /** Messages asked for per pull: bounds the memory a scan holds (messages are up to the max payload). */
    private static final int FETCH_CHUNK = 64;

    private final JetStream js;
    private final JetStreamManagement jsm;
    private final MessageRequests requests;
    private final String streamName;
    private final String prefix;
    private final Duration timeout;

    StoredLog(JetStream js, JetStreamManagement jsm, MessageRequests requests, String streamName, String prefix,
              Duration timeout) {
        this.js = js;
        this.jsm = jsm;
        this.requests = requests;
        this.streamName = streamName;
        this.prefix = prefix;
        this.timeout = timeout;
    }

    /** The subjects of every event stream of the store. */
    String subjects() {
        return prefix + ".>";
    }

    /** Asks for the last message of a subject; {@link #batchOf(CompletableFuture)} reads the answer. */
    CompletableFuture<Message> askLast(String subject) {
        return requests.lastOf(streamName, subject);
    }

    /** The append in an answer to {@link #askLast(String)}, if there is one. */
    Optional<StoredBatch> batchOf(CompletableFuture<Message> answer)
            throws IOException, JetStreamApiException, InterruptedException {
        return requests.await(answer).flatMap(this::decode);
    }

    /** The position of the newest event; 0 if there is none. */
    long headPosition() throws IOException, JetStreamApiException, InterruptedException {
        long sequence = jsm.getStreamInfo(streamName).getStreamState().getLastSequence();
        for (; sequence > 0; sequence--) {
            Optional<StoredBatch> b = batchAt(sequence);
            if (b.isPresent()) {
                return b.get().lastPosition();
            }
        }
        return 0;
    }

    /** Part of one stream, as {@link dev.relato.EventStore#read(StreamId, StreamRead)} describes. */
    List<RecordedEvent> read(StreamId stream, StreamRead read)
            throws IOException, JetStreamApiException, InterruptedException {
        Optional<StoredBatch> lastBatch = lastBatch(subject(stream));
        if (lastBatch.isEmpty()) {
            return List.of();
        }
        StoredBatch last = lastBatch.get();
        long lo = read.lowestVersion();
        long hi = Math.min(read.highestVersion(), last.lastVersion());
        if (lo > hi) {
            return List.of();
        }
        boolean forwards = read.direction() == Direction.FORWARDS;
        Predicate<RecordedEvent> wanted = e -> e.streamVersion() >= lo && e.streamVersion() <= hi
                && read.asOf().map(t -> !e.recordedAt().isAfter(t)).orElse(true);
        long walkCost = forwards ? last.lastVersion() - lo + 1
                : (last.lastVersion() - hi) + Math.min(read.limit(), hi - lo + 1);
        return walkCost <= WALK_LIMIT
                ? walkBack(last, lo, forwards, read.limit(), wanted)
                : scanStream(last, hi, forwards, read.limit(), wanted);
    }

    private List<RecordedEvent> walkBack(StoredBatch last, long lo, boolean forwards, int limit,
                                         Predicate<RecordedEvent> wanted)
            throws IOException, JetStreamApiException, InterruptedException {
        List<RecordedEvent> out = new ArrayList<>();
        StoredBatch b = last;
        while (true) {
            for (int i = b.events().size() - 1; i >= 0; i--) {
                RecordedEvent e = b.recorded(i);
                if (wanted.test(e)) {
                    out.add(e);
                    if (!forwards && out.size() == limit) {
                        return out;
                    }
                }
            }
            if (b.firstVersion() <= lo || b.previousSequence() == 0) {
                break;
            }
            long previous = b.previousSequence();
            b = batchAt(previous).orElseThrow(() -> missingMessage(previous));
        }
        if (forwards) {
            Collections.reverse(out);
            return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
        }
        return out;
    }

    /**
     * Reads a stream from its start through a consumer. A consumer may run on a replica that has not yet
     * applied the newest appends; whatever it did not deliver up to {@code hi} is then taken by walking
     * back from {@code last}, which came from the stream leader.
     */
    private List<RecordedEvent> scanStream(StoredBatch last, long hi, boolean forwards, int limit,
                                           Predicate<RecordedEvent> wanted)
            throws IOException, JetStreamApiException, InterruptedException {
        ArrayDeque<RecordedEvent> out = new ArrayDeque<>();
        long[] seenVersion = {0};
        Predicate<StoredBatch> take = b -> {
            seenVersion[0] = b.lastVersion();
            for (int i = 0; i < b.events().size(); i++) {
                RecordedEvent e = b.recorded(i);
                if (wanted.test(e)) {
                    out.addLast(e);
                    if (out.size() > limit) {
                        if (forwards) {
                            out.removeLast();
                            return false;
                        }
                        out.removeFirst();
                    }
                }
            }
            return b.lastVersion() < hi;
        };
        if (scan(subject(last.stream()), 1, take) && seenVersion[0] < hi) {
            List<StoredBatch> missing = new ArrayList<>();
            for (StoredBatch b = last; b.lastVersion() > seenVersion[0]; ) {
                missing.add(b);
                if (b.previousSequence() == 0) {
                    break;
                }
                long previous = b.previousSequence();
                b = batchAt(previous).orElseThrow(() -> missingMessage(previous));
            }
            Collections.reverse(missing);
            for (StoredBatch b : missing) {
                if (b.lastVersion() > seenVersion[0] && !take.test(b)) {
                    break;
                }
            }
        }
        List<RecordedEvent> list = new ArrayList<>(out);
        if (!forwards) {
            Collections.reverse(list);
        }
        return list;
    }

    private RelatoException missingMessage(long sequence) {
        return new RelatoException("message " + sequence + " of JetStream stream '" + streamName
                + "' is missing: events have been deleted from it outside Relato");
    }

    /** One page of the global log, as {@link dev.relato.spi.LogReader#readPage} describes. */
    List<RecordedEvent> readPage(long afterPosition, EventFilter filter, int max)
            throws IOException, JetStreamApiException, InterruptedException {
        List<RecordedEvent> out = new ArrayList<>();
        Predicate<StoredBatch> take = b -> {
            for (int i = 0; i < b.events().size(); i++) {
                RecordedEvent e = b.recorded(i);
                if (e.position() > afterPosition && filter.matches(e)) {
                    out.add(e);
                    if (out.size() >= max) {
                        return false;
                    }
                }
            }
            return true;
        };
        long startSequence = Math.max(1, StoredBatch.sequenceOf(afterPosition));
        long lastSequence = jsm.getStreamInfo(streamName).getStreamState().getLastSequence();
        if (lastSequence < startSequence) {
            return out;
        }
        if (lastSequence - startSequence < DIRECT_READ_LIMIT) {
            List<CompletableFuture<Message>> answers = new ArrayList<>();
            for (long sequence = startSequence; sequence <= lastSequence; sequence++) {
                answers.add(requests.at(streamName, sequence));
            }
            for (CompletableFuture<Message> answer : answers) {
                Optional<StoredBatch> b = requests.await(answer).flatMap(this::decode);
                if (b.isPresent() && !take.test(b.get())) {
                    break;
                }
            }
        } else {
            String filterSubject = filter.categories().size() == 1
                    ? prefix + "." + filter.categories().iterator().next() + ".*"
                    : prefix + ".>";
            scan(filterSubject, startSequence, take);
        }
        return out;
    }

    /** The subject of an event stream: {@code prefix.category.base64url(id)}. */
    String subject(StreamId stream) {
        return prefix + '.' + stream.category() + '.' + Names.encode(stream.id());
    }

    /** The event stream a subject belongs to, if it is one of this store's. */
    private Optional<StreamId> streamOf(String subject) {
        if (subject == null || !subject.startsWith(prefix) || subject.length() <= prefix.length() + 1
                || subject.charAt(prefix.length()) != '.') {
            return Optional.empty();
        }
        try {
            return Optional.of(Names.parseStreamKey(subject.substring(prefix.length() + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Optional<StoredBatch> decode(String subject, long sequence, Instant time, Headers headers, byte[] data) {
        Optional<StreamId> stream = streamOf(subject);
        if (stream.isEmpty()) {
            LOG.debug("skipping message {} on subject {}: not an event stream of this store", sequence, subject);
            return Optional.empty();
        }
        try {
            return Optional.of(BatchCodec.decode(stream.get(), sequence, time, headers, data));
        } catch (IllegalStateException e) {
            throw new RelatoException("JetStream stream '" + streamName + "' holds a message on subject " + subject
                    + " that is not a Relato append: " + e.getMessage(), e);
        }
    }

    private Optional<StoredBatch> decode(MessageInfo m) {
        return decode(m.getSubject(), m.getSeq(), m.getTime().toInstant(), m.getHeaders(), m.getData());
    }

    /** The last append of a stream (its subject), if any. */
    Optional<StoredBatch> lastBatch(String subject)
            throws IOException, JetStreamApiException, InterruptedException {
        return batchOf(askLast(subject));
    }

    /** The append stored at a JetStream sequence, if there is one. */
    Optional<StoredBatch> batchAt(long sequence)
            throws IOException, JetStreamApiException, InterruptedException {
        return requests.await(requests.at(streamName, sequence)).flatMap(this::decode);
    }

    /**
     * Hands the appends on {@code filterSubject} from {@code startSequence} on, in order, to {@code consumer}
     * until it returns false or the stored ones are exhausted, through a short-lived consumer that asks for
     * exactly as many messages as are pending, so it never waits for messages that are not there.
     *
     * @return true if every stored message was handed over, false if {@code consumer} stopped the scan
     */
    private boolean scan(String filterSubject, long startSequence, Predicate<StoredBatch> consumer)
            throws IOException, JetStreamApiException, InterruptedException {
        String name = "relato-read-" + NUID.nextGlobal();
        ConsumerConfiguration config = ConsumerConfiguration.builder()
                .name(name)
                .filterSubject(filterSubject)
                .deliverPolicy(DeliverPolicy.ByStartSequence)
                .startSequence(startSequence)
                .ackPolicy(AckPolicy.None)
                .inactiveThreshold(Duration.ofSeconds(30))
                .memStorage(true)
                .build();
        long pending = jsm.createConsumer(streamName, config).getNumPending();
        try {
            if (pending == 0) {
                return true;
            }
            JetStreamSubscription sub = js.subscribe(filterSubject, PullSubscribeOptions.fastBind(streamName, name));
            try {
                while (pending > 0) {
                    int batch = (int) Math.min(pending, FETCH_CHUNK);
                    sub.pullExpiresIn(batch, timeout);
                    for (int i = 0; i < batch; i++) {
                        Message m = sub.nextMessage(timeout);
                        if (m == null) {
                            throw new IOException("JetStream did not deliver stored messages of " + filterSubject
                                    + " within " + timeout);
                        }
                        NatsJetStreamMetaData meta = m.metaData();
                        pending = meta.pendingCount();
                        Optional<StoredBatch> b = decode(m.getSubject(), meta.streamSequence(),
                                meta.timestamp().toInstant(), m.getHeaders(), m.getData());
                        if (b.isPresent() && !consumer.test(b.get())) {
                            return false;
                        }
                        if (pending == 0) {
                            break;
                        }
                    }
                }
                return true;
            } finally {
                sub.unsubscribe();
            }
        } finally {
            try {
                jsm.deleteConsumer(streamName, name);
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                LOG.debug("deleting read consumer {} failed; the server removes it when idle", name, e);
            }
        }
    }
}
