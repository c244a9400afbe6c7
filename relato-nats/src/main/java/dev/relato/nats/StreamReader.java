package dev.relato.nats;

import dev.relato.Direction;
import dev.relato.RecordedEvent;
import dev.relato.StoreFailureException;
import dev.relato.StreamId;
import dev.relato.StreamRead;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Reads one event stream of a {@link NatsEventStore}. A stream is a subject whose append messages are
 * chained: each names the sequence of the stream's previous message. A read starts from the stream's last
 * message (asked of the stream leader), so it sees every acknowledged append, and then:
 * <ul>
 *   <li>when the wanted part is near the end, walks the chain back one message at a time;</li>
 *   <li>otherwise fetches the stream's messages forwards: the first one, then {@value #WALKERS} walkers that
 *       each take the next message of the subject within their share of the sequences up to the last one, all
 *       walkers' requests in flight together. The messages are handed on only as a chain: a message that does
 *       not link to the one before it reveals a gap (a lookup the server answered wrongly), which is filled by
 *       following the links back. So a read returns exactly the stream's appends up to its last message, or
 *       fails; it never waits for a delivery and never skips.</li>
 * </ul>
 * A stream whose last message marks it deleted reads as empty; the chain of a stream written again after a
 * delete starts at that mark, and the chain of a truncated stream at its first remaining message, whose events
 * below the stream's {@linkplain Truncations.Floor floor} are left out.
 * Thread-safe.
 */
final class StreamReader {
    /** Events a read may gather by walking back message by message before it fetches forwards instead. */
    private static final int WALK_LIMIT = 4;
    /** Walkers of a forward fetch, each with one request in flight. */
    private static final int WALKERS = 8;

    private final StoredLog log;

    StreamReader(StoredLog log) {
        this.log = log;
    }

    /** Part of one stream, as {@link dev.relato.EventStore#read(StreamId, StreamRead)} describes. */
    List<RecordedEvent> read(StreamId stream, StreamRead read)
            throws IOException, JetStreamApiException, InterruptedException {
        String subject = log.subject(stream);
        CompletableFuture<Message> lastAnswer = log.askLast(subject);
        Optional<Truncations.Floor> floor = log.truncations().of(stream);
        Optional<StoredBatch> lastBatch = log.batchOf(lastAnswer);
        if (lastBatch.isEmpty() || lastBatch.get().isRemoval()) {
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
                && floor.map(f -> !f.hides(StoredBatch.sequenceOf(e.position()), e.streamVersion())).orElse(true)
                && read.asOf().map(t -> !e.recordedAt().isAfter(t)).orElse(true);
        long walkCost = forwards ? last.lastVersion() - lo + 1
                : (last.lastVersion() - hi) + Math.min(read.limit(), hi - lo + 1);
        return walkCost <= WALK_LIMIT
                ? walkBack(last, lo, floor.map(Truncations.Floor::sequence).orElse(0L), forwards, read.limit(), wanted)
                : fetchForwards(subject, last, hi, forwards, read.limit(), wanted);
    }

    /** Walks back from {@code last}; messages up to {@code floorSequence} are the first of the stream's chain. */
    private List<RecordedEvent> walkBack(StoredBatch last, long lo, long floorSequence, boolean forwards, int limit,
                                         Predicate<RecordedEvent> wanted)
            throws IOException, JetStreamApiException, InterruptedException {
        List<RecordedEvent> out = new ArrayList<>();
        StoredBatch b = last;
        while (true) {
            List<RecordedEvent> events = b.events();
            for (int i = events.size() - 1; i >= 0; i--) {
                RecordedEvent e = events.get(i);
                if (wanted.test(e)) {
                    out.add(e);
                    if (!forwards && out.size() == limit) {
                        return out;
                    }
                }
            }
            if (b.firstVersion() <= lo || b.previousSequence() == 0 || b.sequence() <= floorSequence) {
                break;
            }
            b = log.requireBatchAt(b.previousSequence());
        }
        if (forwards) {
            Collections.reverse(out);
            return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
        }
        return out;
    }

    /** Reads the stream from its first message, keeping the wanted events up to {@code hi}. */
    private List<RecordedEvent> fetchForwards(String subject, StoredBatch last, long hi, boolean forwards, int limit,
                                              Predicate<RecordedEvent> wanted)
            throws IOException, JetStreamApiException, InterruptedException {
        ArrayDeque<RecordedEvent> out = new ArrayDeque<>();
        Predicate<StoredBatch> take = b -> {
            if (b.isRemoval()) {
                out.clear(); // what came before was left by a delete interrupted before it removed it
                return true;
            }
            for (RecordedEvent e : b.events()) {
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
        forEachBatch(subject, last, take);
        List<RecordedEvent> list = new ArrayList<>(out);
        if (!forwards) {
            Collections.reverse(list);
        }
        return list;
    }

    /** One walker: its share of the sequences, where it has got to, and what it found. */
    private static final class Walker {
        private final long until;
        private long next;
        private boolean done;
        private CompletableFuture<Message> answer;
        private final ArrayDeque<StoredBatch> found = new ArrayDeque<>();

        Walker(long from, long until) {
            this.next = from;
            this.until = until;
            this.done = from >= until;
        }
    }

    /**
     * Hands every append of the stream up to {@code last}, in order, to {@code consumer} until it returns false.
     */
    private void forEachBatch(String subject, StoredBatch last, Predicate<StoredBatch> consumer)
            throws IOException, JetStreamApiException, InterruptedException {
        Optional<StoredBatch> first = log.batchOf(log.askNext(subject, 1));
        Chain chain = new Chain(consumer, first.map(StoredBatch::previousSequence).orElse(0L));
        long from = first.filter(b -> b.sequence() < last.sequence()).map(b -> b.sequence() + 1).orElse(last.sequence());
        if (first.isPresent() && first.get().sequence() < last.sequence() && !chain.accept(first.get())) {
            return;
        }
        long span = last.sequence() - from;
        int count = (int) Math.max(1, Math.min(WALKERS, span));
        List<Walker> walkers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            walkers.add(new Walker(from + span * i / count, from + span * (i + 1) / count));
        }
        int current = 0;
        while (current < count) {
            for (Walker w : walkers) {
                if (!w.done) {
                    w.answer = log.askNext(subject, w.next);
                }
            }
            for (Walker w : walkers) {
                if (w.answer != null) {
                    Optional<StoredBatch> b = log.batchOf(w.answer);
                    w.answer = null;
                    if (b.isEmpty() || b.get().sequence() >= w.until) {
                        w.done = true;
                    } else {
                        w.found.add(b.get());
                        w.next = b.get().sequence() + 1;
                    }
                }
            }
            for (; current < count; current++) {
                Walker w = walkers.get(current);
                while (!w.found.isEmpty()) {
                    if (!chain.accept(w.found.poll())) {
                        return;
                    }
                }
                if (!w.done) {
                    break;
                }
            }
        }
        chain.accept(last);
    }

    /**
     * The appends handed on so far, as a chain: each must link to the one before it. A gap is filled by
     * following the links back from the message after it. The chain starts at the stream's first remaining message
     * (the ones before it were removed by a truncation) and again at each message marking the stream deleted.
     */
    private final class Chain {
        private final Predicate<StoredBatch> consumer;
        private long previous;
        private boolean stopped;

        /** @param start the sequence the stream's first remaining message links to */
        Chain(Predicate<StoredBatch> consumer, long start) {
            this.consumer = consumer;
            this.previous = start;
        }

        /** Hands on {@code b}, and first whatever is missing before it; false once the consumer has had enough. */
        boolean accept(StoredBatch b) throws IOException, JetStreamApiException, InterruptedException {
            if (stopped || b.sequence() <= previous) {
                return !stopped;
            }
            if (b.previousSequence() != previous && !b.isRemoval()) {
                ArrayDeque<StoredBatch> missing = new ArrayDeque<>();
                long link = b.previousSequence();
                while (link > previous) {
                    StoredBatch m = log.requireBatchAt(link);
                    missing.push(m);
                    link = m.previousSequence();
                }
                if (link != previous) {
                    throw new StoreFailureException("the appends of stream '" + b.stream() + "' do not form a chain: "
                            + "message " + b.sequence() + " links to " + b.previousSequence() + ", message " + previous
                            + " is not on its way back. The JetStream stream holds messages Relato did not write", null);
                }
                for (StoredBatch m : missing) {
                    if (!handOn(m)) {
                        return false;
                    }
                }
            }
            return handOn(b);
        }

        private boolean handOn(StoredBatch b) {
            previous = b.sequence();
            stopped = !consumer.test(b);
            return !stopped;
        }
    }
}
