package dev.relato.bench;

import dev.relato.StreamId;
import dev.relato.bench.Results.Figure;
import dev.relato.bench.Results.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workloads W1 to W6, run on one backend at a time for Relato and its plain-JDBC twin, with their sizes
 * scaled by the options. Every workload checks what it measured (events stored, states folded, events read)
 * and fails on a wrong result. Not thread-safe; owns a pool of writer threads, released by {@link #close()}.
 */
final class Workloads implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Workloads.class);
    private static final int WRITERS = 8;
    private static final int FILL_BATCH = 1000;
    /** How many events the snapshot of the large aggregate is behind its head. */
    private static final int SNAPSHOT_LAG = 50;

    private final BenchOptions options;
    private final Results results;
    private final ExecutorService writers = Executors.newFixedThreadPool(WRITERS, runnable -> {
        Thread thread = new Thread(runnable, "bench-writer");
        thread.setDaemon(true);
        return thread;
    });

    private final int w1Streams;
    private final int w1Events;
    private final int w2Appends;
    private final int w2AppendsPerWriter;
    private final int w3AppendsPerWriter;
    private final int w5SmallLoads;
    private final int w5Large;
    private final int w5LargeLoads;
    private final int w5SnapshotLoads;
    private final int logSize;
    private final int w4Rounds;

    private final Figure w1;
    private final Figure w2One;
    private final Figure w2Many;
    private final Figure w3;
    private final Figure w3Conflicts;
    private final Figure w4;
    private final Figure w4Heap;
    private final Figure w4HeapAfterGc;
    private final Figure w5Small;
    private final Figure w5LargeFigure;
    private final Figure w5Snapshot;
    private final Figure w6;

    Workloads(BenchOptions options, Results results) {
        this.options = options;
        this.results = results;
        w1Streams = options.scaled(500, 5);
        w1Events = 100;
        w2Appends = options.scaled(2000, 20);
        w2AppendsPerWriter = options.scaled(250, 5);
        w3AppendsPerWriter = options.scaled(125, 3);
        w5SmallLoads = options.scaled(500, 10);
        w5Large = options.scaled(10_000, 200);
        w5LargeLoads = options.scaled(10, 3);
        w5SnapshotLoads = options.scaled(500, 10);
        logSize = options.scaled(1_000_000, 2_000);
        w4Rounds = Math.min(options.rounds(), 3);

        w1 = new Figure(String.format(Locale.ROOT, "W1 batch append, %d streams x %d", w1Streams, w1Events),
                Unit.EVENTS_PER_SECOND, 0.8);
        w2One = new Figure("W2 single appends, 1 writer", Unit.EVENTS_PER_SECOND, 0.8);
        w2Many = new Figure("W2 single appends, 8 writers", Unit.EVENTS_PER_SECOND, 0.8);
        w3 = new Figure("W3 contended, 8 writers, 1 stream", Unit.EVENTS_PER_SECOND, 0);
        w3Conflicts = new Figure(String.format(Locale.ROOT, "W3 conflicts per %d appends", WRITERS * w3AppendsPerWriter),
                Unit.COUNT, 0);
        w4 = new Figure(String.format(Locale.ROOT, "W4 global read, %,d events", logSize), Unit.EVENTS_PER_SECOND, 0.7);
        w4Heap = new Figure("W4 peak heap used, -Xmx256m", Unit.MEGABYTES, 0);
        w4HeapAfterGc = new Figure("W4 most heap after a GC", Unit.MEGABYTES, 0);
        w5Small = new Figure("W5 load 100-event aggregate", Unit.MS_PER_LOAD, 1.3);
        w5LargeFigure = new Figure(String.format(Locale.ROOT, "W5 load %,d-event aggregate", w5Large), Unit.MS_PER_LOAD, 0);
        w5Snapshot = new Figure(String.format(Locale.ROOT, "W5 same, snapshot %d behind", SNAPSHOT_LAG),
                Unit.MS_PER_LOAD, 0);
        w6 = new Figure(String.format(Locale.ROOT, "W6 projection catch-up, %,d events", logSize),
                Unit.EVENTS_PER_SECOND, 0);
        results.declare(w1, w2One, w2Many, w3, w3Conflicts, w4, w4Heap, w4HeapAfterGc, w5Small, w5LargeFigure,
                w5Snapshot, w6);
    }

    /** Runs every workload on the backend's subjects and records their figures. */
    void run(Backend backend) throws Exception {
        List<Subject> subjects = new ArrayList<>();
        subjects.add(backend.relato());
        backend.jdbc().ifPresent(subjects::add);
        long[] stored = new long[subjects.size()];
        String name = backend.name();

        LOG.info("{}: W1 batch append", name);
        double[][] m = Rounds.medians(options.warmups(), options.rounds(), rounds(subjects, (s, r) -> {
            double rate = batchAppend(subjects.get(s), r);
            stored[s] += (long) w1Streams * w1Events;
            return new double[] {rate};
        }));
        record(w1, name, m, 0);

        LOG.info("{}: W2 single appends", name);
        m = Rounds.medians(options.warmups(), options.rounds(), rounds(subjects, (s, r) -> {
            double one = singleAppends(subjects.get(s), "w2-1-" + r, 1, w2Appends);
            double many = singleAppends(subjects.get(s), "w2-8-" + r, WRITERS, w2AppendsPerWriter);
            stored[s] += w2Appends + (long) WRITERS * w2AppendsPerWriter;
            return new double[] {one, many};
        }));
        record(w2One, name, m, 0);
        record(w2Many, name, m, 1);

        LOG.info("{}: W3 contended appends", name);
        m = Rounds.medians(options.warmups(), options.rounds(), rounds(subjects, (s, r) -> {
            double[] figures = contendedAppends(subjects.get(s), "w3-" + r);
            stored[s] += (long) WRITERS * w3AppendsPerWriter;
            return figures;
        }));
        record(w3, name, m, 0);
        record(w3Conflicts, name, m, 1);

        LOG.info("{}: W5 aggregate loads", name);
        for (int s = 0; s < subjects.size(); s++) {
            stored[s] += prepareAggregates(subjects.get(s));
        }
        m = Rounds.medians(options.warmups(), options.rounds(), rounds(subjects, (s, r) -> loads(subjects.get(s))));
        record(w5Small, name, m, 0);
        record(w5LargeFigure, name, m, 1);
        record(w5Snapshot, name, m, 2);

        LOG.info("{}: filling the log to {} events", name, logSize);
        for (int s = 0; s < subjects.size(); s++) {
            stored[s] = fill(subjects.get(s), stored[s]);
        }

        LOG.info("{}: W4 global read", name);
        double[][] read = new double[subjects.size()][];
        for (int s = 0; s < subjects.size(); s++) {
            Subject subject = subjects.get(s);
            read[s] = backend.attachCommand().isPresent()
                    ? ReadAllProcess.fork(backend.attachCommand().get(), subject.kind(), stored[s], options.warmups(),
                    w4Rounds, options.pgPassword())
                    : readAllHere(subject, stored[s]);
        }
        record(w4, name, read, 0);
        if (backend.attachCommand().isPresent()) {
            record(w4Heap, name, read, 1);
            record(w4HeapAfterGc, name, read, 2);
        }

        LOG.info("{}: W6 projection catch-up", name); // one run: it spans the whole log, JIT warm-up included
        m = Rounds.medians(0, 1, rounds(subjects, (s, r) -> {
            long start = System.nanoTime();
            long counted = subjects.get(s).project("w6-" + r);
            long nanos = System.nanoTime() - start;
            check(counted == stored[s], "the read model counted " + counted + " events of " + stored[s]);
            return new double[] {Rounds.rate(counted, nanos)};
        }));
        record(w6, name, m, 0);
    }

    private void record(Figure figure, String backend, double[][] medians, int index) {
        results.put(figure, backend, medians[0][index], medians.length > 1 ? medians[1][index] : Double.NaN);
    }

    /** One round of each subject. */
    @FunctionalInterface
    private interface SubjectRound {
        double[] run(int subject, int round) throws Exception;
    }

    private static List<Rounds.Round> rounds(List<Subject> subjects, SubjectRound round) {
        List<Rounds.Round> list = new ArrayList<>();
        for (int s = 0; s < subjects.size(); s++) {
            int subject = s;
            list.add(r -> round.run(subject, r));
        }
        return list;
    }

    /** W1: each stream written by one append of all its events, by one writer. */
    private double batchAppend(Subject subject, int round) throws Subject.VersionConflict {
        List<StreamId> streams = new ArrayList<>(w1Streams);
        List<List<AccountEvent>> batches = new ArrayList<>(w1Streams);
        for (int i = 0; i < w1Streams; i++) {
            String id = "w1-" + round + "-" + i;
            streams.add(StreamId.of(Account.CATEGORY, id));
            batches.add(Account.events(id, 0, w1Events));
        }
        long start = System.nanoTime();
        for (int i = 0; i < w1Streams; i++) {
            subject.append(streams.get(i), 0, batches.get(i));
        }
        return Rounds.rate((long) w1Streams * w1Events, System.nanoTime() - start);
    }

    /** W2: {@code writerCount} writers, each appending one event at a time to its own stream. */
    private double singleAppends(Subject subject, String prefix, int writerCount, int appendsPerWriter)
            throws Exception {
        long nanos = concurrently(writerCount, w -> () -> {
            String id = prefix + "-" + w;
            StreamId stream = StreamId.of(Account.CATEGORY, id);
            for (int i = 0; i < appendsPerWriter; i++) {
                long version = subject.append(stream, i, List.of(Account.event(id, i)));
                check(version == i + 1, "stream " + stream + " at version " + version + " after append " + (i + 1));
            }
            return 0L;
        })[0];
        return Rounds.rate((long) writerCount * appendsPerWriter, nanos);
    }

    /**
     * W3: all writers on one stream, each appending one event at a time with the exact version it last saw, and
     * on a conflict retrying with the version the conflict reported.
     *
     * @return events per second, and conflicts
     */
    private double[] contendedAppends(Subject subject, String id) throws Exception {
        StreamId stream = StreamId.of(Account.CATEGORY, id);
        long[] outcome = concurrently(WRITERS, w -> () -> {
            long conflicts = 0;
            long known = 0;
            for (int done = 0; done < w3AppendsPerWriter; ) {
                try {
                    known = subject.append(stream, known, List.of(Account.event(id + "-" + w, done + 1)));
                    done++;
                } catch (Subject.VersionConflict e) {
                    known = e.actualVersion();
                    conflicts++;
                }
            }
            return conflicts;
        });
        long expected = (long) WRITERS * w3AppendsPerWriter;
        Account.State state = subject.load(stream);
        check(state.transactions() == expected, "stream " + stream + " holds " + state.transactions()
                + " events instead of " + expected);
        return new double[] {Rounds.rate(expected, outcome[0]), outcome[1]};
    }

    /**
     * Runs one task per writer, all released at once.
     *
     * @return the elapsed nanoseconds, and the sum of the tasks' results
     */
    private long[] concurrently(int writerCount, IntFunction<Callable<Long>> task) throws Exception {
        CountDownLatch ready = new CountDownLatch(writerCount);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> futures = new ArrayList<>();
        for (int w = 0; w < writerCount; w++) {
            Callable<Long> work = task.apply(w);
            futures.add(writers.submit(() -> {
                ready.countDown();
                go.await();
                return work.call();
            }));
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        long sum = 0;
        for (Future<Long> future : futures) {
            sum += future.get();
        }
        return new long[] {System.nanoTime() - start, sum};
    }

    private StreamId small() {
        return StreamId.of(Account.CATEGORY, "w5-small");
    }

    private StreamId large() {
        return StreamId.of(Account.CATEGORY, "w5-large");
    }

    /** Writes the W5 aggregates, the large one with a snapshot behind its head; returns the events written. */
    private long prepareAggregates(Subject subject) throws Subject.VersionConflict {
        subject.append(small(), 0, Account.events(small().id(), 0, 100));
        long version = 0;
        int beforeSnapshot = w5Large - SNAPSHOT_LAG;
        while (version < beforeSnapshot) {
            int n = (int) Math.min(FILL_BATCH, beforeSnapshot - version);
            version = subject.append(large(), version, Account.events(large().id(), version, n));
        }
        subject.snapshot(large());
        subject.append(large(), version, Account.events(large().id(), version, SNAPSHOT_LAG));
        return 100 + w5Large;
    }

    /** W5: milliseconds per load of the small aggregate, the large one, and the large one from its snapshot. */
    private double[] loads(Subject subject) {
        Account.State expectedSmall = fold(100);
        Account.State expectedLarge = fold(w5Large);
        long start = System.nanoTime();
        for (int i = 0; i < w5SmallLoads; i++) {
            check(subject.load(small()).equals(expectedSmall), "wrong state of " + small());
        }
        double smallMs = (System.nanoTime() - start) / 1e6 / w5SmallLoads;
        start = System.nanoTime();
        for (int i = 0; i < w5LargeLoads; i++) {
            check(subject.load(large()).equals(expectedLarge), "wrong state of " + large());
        }
        double largeMs = (System.nanoTime() - start) / 1e6 / w5LargeLoads;
        start = System.nanoTime();
        for (int i = 0; i < w5SnapshotLoads; i++) {
            check(subject.loadFromSnapshot(large()).equals(expectedLarge), "wrong state of " + large()
                    + " from its snapshot");
        }
        double snapshotMs = (System.nanoTime() - start) / 1e6 / w5SnapshotLoads;
        return new double[] {smallMs, largeMs, snapshotMs};
    }

    private static Account.State fold(int events) {
        Account account = new Account();
        Account.State state = account.initialState();
        for (AccountEvent event : Account.events("x", 0, events)) {
            state = account.evolve(state, event);
        }
        return state;
    }

    /** Appends streams of {@value #FILL_BATCH} events until the log holds {@code logSize}; returns its size. */
    private long fill(Subject subject, long stored) throws Subject.VersionConflict {
        long size = stored;
        for (int i = 0; size < logSize; i++) {
            int n = (int) Math.min(FILL_BATCH, logSize - size);
            String id = "fill-" + i;
            subject.append(StreamId.of(Account.CATEGORY, id), 0, Account.events(id, 0, n));
            size += n;
        }
        return size;
    }

    /** W4 in this JVM (the in-memory store, whose log lives in the heap): events per second. */
    private double[] readAllHere(Subject subject, long expected) {
        double[][] m = Rounds.medians(options.warmups(), w4Rounds, List.of(r -> {
            long start = System.nanoTime();
            long read = subject.readAll();
            long nanos = System.nanoTime() - start;
            check(read == expected, "read " + read + " events of " + expected);
            return new double[] {Rounds.rate(read, nanos)};
        }));
        return m[0];
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new IllegalStateException(failure);
        }
    }

    @Override
    public void close() {
        writers.shutdownNow();
    }
}
