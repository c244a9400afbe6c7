package dev.relato.bench;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.StreamId;
import dev.relato.bench.Results.Figure;
import dev.relato.bench.Results.Target;
import dev.relato.bench.Results.Unit;
import dev.relato.bench.Subject.Workload;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.serialization.EventSerializer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workloads, run on one backend for one system at a time (Relato or one of the peers the backend has), with
 * their sizes scaled by the options: W1 to W6 on every subject that can run them, W2 in the caller's transaction (PostgreSQL), W7
 * (the in-memory store on its own) and the delivery latency of subscriptions (Relato). Every workload checks what
 * it measured (events stored, states folded, events read) and fails on a wrong result. Not thread-safe; owns the
 * writer threads, released by {@link #close()}.
 */
final class Workloads implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Workloads.class);
    private static final int WRITERS = Writers.MAX;
    private static final int FILL_BATCH = 1000;
    /** How many events the snapshot of the large aggregate is behind its head. */
    private static final int SNAPSHOT_LAG = 50;

    private final BenchOptions options;
    private final Results results;
    private final Writers writers = new Writers();

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
    private final int w7AppendsPerWriter;
    private final int latencyWarmup;
    private final int latencyAppends;

    private final Figure w1;
    private final Figure w2One;
    private final Figure w2Many;
    private final Figure w2Caller;
    private final Figure w2CallerRatio;
    private final Figure w3;
    private final Figure w3Conflicts;
    private final Figure w3Commands;
    private final Figure w3CommandConflicts;
    private final Figure w4;
    private final Figure w4Heap;
    private final Figure w4HeapAfterGc;
    private final Figure w5Small;
    private final Figure w5LargeFigure;
    private final Figure w5Snapshot;
    private final Figure w6;
    private final Figure w7;
    private final Figure hereP50;
    private final Figure hereP99;
    private final Figure elsewhereP50;
    private final Figure elsewhereP99;

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
        w7AppendsPerWriter = options.scaled(125_000, 50);
        latencyWarmup = options.scaled(100, 5);
        latencyAppends = options.scaled(500, 10);

        w1 = new Figure(String.format(Locale.ROOT, "W1 batch append, %d streams x %d", w1Streams, w1Events),
                Unit.EVENTS_PER_SECOND);
        w2One = new Figure("W2 single appends, 1 writer", Unit.EVENTS_PER_SECOND);
        w2Many = new Figure("W2 single appends, 8 writers", Unit.EVENTS_PER_SECOND);
        w2Caller = new Figure("W2 8 writers, in the caller's transaction", Unit.EVENTS_PER_SECOND);
        w2CallerRatio = new Figure("W2 8 writers, caller's / own transaction", Unit.RATIO);
        w3 = new Figure("W3 store only: 8 writers, 1 stream", Unit.EVENTS_PER_SECOND);
        w3Conflicts = new Figure("W3 store only: conflicts per 1,000 appends", Unit.COUNT);
        w3Commands = new Figure("W3 repository, 8 writers, 1 stream", Unit.EVENTS_PER_SECOND);
        w3CommandConflicts = new Figure("W3 repository: conflicts per 1,000 commands", Unit.COUNT);
        w4 = new Figure(String.format(Locale.ROOT, "W4 global read, %,d events", logSize), Unit.EVENTS_PER_SECOND);
        w4Heap = new Figure("W4 peak heap used, -Xmx" + ReadAllProcess.MAX_HEAP, Unit.MEGABYTES);
        w4HeapAfterGc = new Figure("W4 most heap after a GC", Unit.MEGABYTES);
        w5Small = new Figure("W5 load 100-event aggregate", Unit.MS_PER_LOAD);
        w5LargeFigure = new Figure(String.format(Locale.ROOT, "W5 load %,d-event aggregate", w5Large), Unit.MS_PER_LOAD);
        w5Snapshot = new Figure(String.format(Locale.ROOT, "W5 same, snapshot %d behind", SNAPSHOT_LAG),
                Unit.MS_PER_LOAD);
        w6 = new Figure(String.format(Locale.ROOT, "W6 projection catch-up, %,d events", logSize),
                Unit.EVENTS_PER_SECOND);
        w7 = new Figure(String.format(Locale.ROOT, "W7 single appends, 8 writers, %,d events, store only",
                WRITERS * w7AppendsPerWriter), Unit.EVENTS_PER_SECOND);
        hereP50 = new Figure("Delivery to a subscriber, same process, p50", Unit.MILLISECONDS);
        hereP99 = new Figure("Delivery to a subscriber, same process, p99", Unit.MILLISECONDS);
        elsewhereP50 = new Figure("Delivery to a subscriber, other process, p50", Unit.MILLISECONDS);
        elsewhereP99 = new Figure("Delivery to a subscriber, other process, p99", Unit.MILLISECONDS);
        results.declare(w1, w2One, w2Many, w2Caller, w2CallerRatio, w3, w3Conflicts, w3Commands, w3CommandConflicts, w4,
                w4Heap, w4HeapAfterGc, w5Small, w5LargeFigure, w5Snapshot, w6, w7, hereP50, hereP99, elsewhereP50,
                elsewhereP99);
    }

    /** The targets of the store's figures: Relato against the leanest plain JDBC and Axon, or absolute. */
    void declareTargets(String store) {
        Target jdbc90 = new Target.Relative(Backend.JDBC, 0.9);
        Target aheadOfAxon = new Target.Relative(Backend.AXON, 1);
        switch (store) {
            case "postgres" -> {
                results.target(w1, store, new Target.Relative(Backend.JDBC, 0.85), aheadOfAxon);
                results.target(w2One, store, jdbc90, aheadOfAxon);
                results.target(w2Many, store, jdbc90, aheadOfAxon);
                results.target(w2CallerRatio, store, new Target.Absolute(0.9));
                results.target(w4, store, new Target.Relative(Backend.JDBC, 1.2));
                results.target(w5Small, store, new Target.Relative(Backend.JDBC, 1.1));
            }
            case "sqlite" -> results.target(w5Small, store, new Target.Relative(Backend.JDBC, 1.2));
            case "memory" -> results.target(w7, store, new Target.Absolute(1_000_000));
            default -> throw new IllegalArgumentException("no targets for " + store);
        }
        if (!store.equals("memory")) {
            // W3's targets are the repository's (commands with retries); the store-only figures show the store's part
            results.target(w3Commands, store, new Target.Relative(Backend.JDBC, 0.8));
            results.target(w3CommandConflicts, store, new Target.Relative(Backend.JDBC, 2));
            results.target(elsewhereP99, store, new Target.Absolute(100));
        }
    }

    /**
     * Runs every chosen workload that {@code system} (one of the backend's {@link Backend#kinds()}) has and records
     * its figures; Relato's own workloads (W2 in the caller's transaction, W7, delivery) run with {@code relato}.
     */
    void run(Backend backend, String system) throws Exception {
        String name = backend.name();
        results.title(name, backend.title());
        List<Subject> all = backend.subjects(List.of(system));
        boolean relato = system.equals(Backend.RELATO);
        Map<String, Long> stored = new HashMap<>();
        if (options.runs("w1")) {
            w1(name, all, stored);
        }
        if (options.runs("w2")) {
            w2(name, all, stored);
        }
        if (options.runs("w3")) {
            w3(name, all, stored);
        }
        if (options.runs("w5")) {
            w5(name, all, stored);
        }
        if (options.runs("w4") || options.runs("w6")) {
            LOG.info("{}: filling the log to {} events", name, logSize);
            for (Subject subject : all) {
                if (subject.supports(Workload.GLOBAL_READ) || subject.supports(Workload.PROJECTION)) {
                    stored.put(subject.kind(), fill(subject, stored.getOrDefault(subject.kind(), 0L)));
                }
            }
        }
        if (options.runs("w4")) {
            w4(backend, all, stored);
        }
        if (options.runs("w6")) {
            w6(name, all, stored);
        }
        if (relato && options.runs("w2c") && backend.kinds().contains(Backend.RELATO_CALLER_TX)) {
            callersTransaction(backend);
        }
        if (relato && options.runs("w7") && backend instanceof MemoryBackend) {
            LOG.info("{}: W7 single appends to the store only", name);
            results.put(w7, name, Backend.RELATO, storeOnlyAppends());
        }
        if (relato && options.runs("delivery")) {
            delivery(backend);
        }
    }

    private void w1(String name, List<Subject> all, Map<String, Long> stored) {
        LOG.info("{}: W1 batch append", name);
        List<Subject> subjects = supporting(all, Workload.BATCH_APPEND);
        double[][] m = measure(subjects, options.warmups(), options.rounds(), (subject, r) -> {
            double rate = batchAppend(subject, r);
            stored.merge(subject.kind(), (long) w1Streams * w1Events, Long::sum);
            return new double[] {rate};
        });
        record(w1, name, subjects, m, 0);
    }

    private void w2(String name, List<Subject> all, Map<String, Long> stored) {
        LOG.info("{}: W2 single appends", name);
        List<Subject> subjects = supporting(all, Workload.SINGLE_APPENDS);
        double[][] m = measure(subjects, options.warmups(), options.rounds(), (subject, r) -> {
            double one = singleAppends(subject, "w2-1-" + r, 1, w2Appends);
            double many = singleAppends(subject, "w2-8-" + r, WRITERS, w2AppendsPerWriter);
            stored.merge(subject.kind(), w2Appends + (long) WRITERS * w2AppendsPerWriter, Long::sum);
            return new double[] {one, many};
        });
        record(w2One, name, subjects, m, 0);
        record(w2Many, name, subjects, m, 1);
    }

    private void w3(String name, List<Subject> all, Map<String, Long> stored) {
        LOG.info("{}: W3 contended appends", name);
        contended(name, all, stored, Workload.CONTENDED_APPENDS, w3, w3Conflicts,
                (subject, r) -> contendedAppends(subject, "w3-" + r));
        LOG.info("{}: W3 contended commands", name);
        contended(name, all, stored, Workload.CONTENDED_COMMANDS, w3Commands, w3CommandConflicts,
                (subject, r) -> contendedCommands(subject, "w3c-" + r));
    }

    /** A W3 variant: rounds that each write {@code w3AppendsPerWriter} events per writer to one stream. */
    private void contended(String name, List<Subject> all, Map<String, Long> stored, Workload workload, Figure rate,
                           Figure conflicts, SubjectRound round) {
        List<Subject> subjects = supporting(all, workload);
        double[][] m = measure(subjects, options.warmups(), options.rounds(), (subject, r) -> {
            double[] figures = round.run(subject, r);
            stored.merge(subject.kind(), (long) WRITERS * w3AppendsPerWriter, Long::sum);
            return figures;
        });
        record(rate, name, subjects, m, 0);
        record(conflicts, name, subjects, m, 1);
    }

    private void w5(String name, List<Subject> all, Map<String, Long> stored) throws Exception {
        LOG.info("{}: W5 aggregate loads", name);
        List<Subject> subjects = supporting(all, Workload.AGGREGATE_LOAD);
        for (Subject subject : subjects) {
            stored.merge(subject.kind(), prepareAggregates(subject), Long::sum);
        }
        double[][] m = measure(subjects, options.warmups(), options.rounds(), (subject, r) -> loads(subject));
        record(w5Small, name, subjects, m, 0);
        record(w5LargeFigure, name, subjects, m, 1);
        record(w5Snapshot, name, subjects, m, 2);
    }

    private void w4(Backend backend, List<Subject> all, Map<String, Long> stored) throws Exception {
        String name = backend.name();
        LOG.info("{}: W4 global read", name);
        for (Subject subject : supporting(all, Workload.GLOBAL_READ)) {
            long expected = stored.get(subject.kind());
            double[] read = backend.attachCommand().isPresent()
                    ? ReadAllProcess.fork(backend.attachCommand().get(), subject.kind(), expected, options.warmups(),
                    w4Rounds, options.pgPassword())
                    : readAllHere(subject, expected);
            results.put(w4, name, subject.kind(), read[0]);
            if (backend.attachCommand().isPresent()) {
                results.put(w4Heap, name, subject.kind(), read[1]);
                results.put(w4HeapAfterGc, name, subject.kind(), read[2]);
            }
        }
    }

    private void w6(String name, List<Subject> all, Map<String, Long> stored) {
        LOG.info("{}: W6 projection catch-up", name); // one run: it spans the whole log, JIT warm-up included
        List<Subject> subjects = supporting(all, Workload.PROJECTION);
        double[][] m = measure(subjects, 0, 1, (subject, r) -> {
            long start = System.nanoTime();
            long counted = subject.project("w6-" + r);
            long nanos = System.nanoTime() - start;
            long expected = stored.get(subject.kind());
            check(counted == expected, "the read model counted " + counted + " events of " + expected);
            return new double[] {Rounds.rate(counted, nanos)};
        });
        record(w6, name, subjects, m, 0);
    }

    private void callersTransaction(Backend backend) {
        String name = backend.name();
        LOG.info("{}: W2 in the caller's transaction", name);
        List<Subject> subjects = List.of(backend.relato(), backend.subject(Backend.RELATO_CALLER_TX));
        double[][] m = measure(subjects, options.warmups(), options.rounds(), (subject, r) -> new double[] {
                singleAppends(subject, "w2c-" + subject.kind() + "-" + r, WRITERS, w2AppendsPerWriter)});
        results.put(w2Caller, name, Backend.RELATO, m[1][0]);
        results.put(w2CallerRatio, name, Backend.RELATO, m[1][0] / m[0][0]);
    }

    private void delivery(Backend backend) throws Exception {
        String name = backend.name();
        LOG.info("{}: delivery to subscribers", name);
        double[] latency = new DeliveryLatency(writers, latencyWarmup, latencyAppends, options.pgPassword())
                .measure(backend);
        results.put(hereP50, name, Backend.RELATO, latency[0]);
        results.put(hereP99, name, Backend.RELATO, latency[1]);
        if (!Double.isNaN(latency[2])) {
            results.put(elsewhereP50, name, Backend.RELATO, latency[2]);
            results.put(elsewhereP99, name, Backend.RELATO, latency[3]);
        }
    }

    private static List<Subject> supporting(List<Subject> subjects, Workload workload) {
        return subjects.stream().filter(subject -> subject.supports(workload)).toList();
    }

    private void record(Figure figure, String store, List<Subject> subjects, double[][] medians, int index) {
        for (int s = 0; s < subjects.size(); s++) {
            results.put(figure, store, subjects.get(s).kind(), medians[s][index]);
        }
    }

    /** One round of one subject. */
    @FunctionalInterface
    private interface SubjectRound {
        double[] run(Subject subject, int round) throws Exception;
    }

    /** The subjects' rounds, interleaved: for each subject, each figure's median. */
    private static double[][] measure(List<Subject> subjects, int warmups, int rounds, SubjectRound round) {
        List<Rounds.Round> list = new ArrayList<>();
        for (Subject subject : subjects) {
            list.add(r -> round.run(subject, r));
        }
        return Rounds.medians(warmups, rounds, list);
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
        long nanos = writers.run(writerCount, w -> () -> {
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
     * @return events per second, and conflicts per 1,000 appends
     */
    private double[] contendedAppends(Subject subject, String id) throws Exception {
        StreamId stream = StreamId.of(Account.CATEGORY, id);
        long[] outcome = writers.run(WRITERS, w -> () -> {
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
        return new double[] {Rounds.rate(expected, outcome[0]), outcome[1] * 1000.0 / expected};
    }

    /**
     * W3 through a repository: all writers on one account, each handling deposits one at a time (load, decide,
     * append, and again from a fresh load after a conflict).
     *
     * @return commands (events) per second, and conflicts per 1,000 commands
     */
    private double[] contendedCommands(Subject subject, String id) throws Exception {
        StreamId stream = StreamId.of(Account.CATEGORY, id);
        long[] outcome = writers.run(WRITERS, w -> () -> {
            long conflicts = 0;
            for (int i = 0; i < w3AppendsPerWriter; i++) {
                conflicts += subject.handle(stream, new Account.Deposit(id, 100 + w, "w" + w + "-" + i));
            }
            return conflicts;
        });
        long expected = (long) WRITERS * w3AppendsPerWriter;
        long balance = 0;
        for (int w = 0; w < WRITERS; w++) {
            balance += (100L + w) * w3AppendsPerWriter;
        }
        Account.State state = subject.load(stream);
        check(state.transactions() == expected && state.balanceCents() == balance, "account " + stream + " is "
                + state + " instead of " + expected + " deposits totalling " + balance);
        return new double[] {Rounds.rate(expected, outcome[0]), outcome[1] * 1000.0 / expected};
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

    /**
     * W7: the in-memory store's own append path. Each writer appends, one event per append with the exact expected
     * version, to a stream of its own, events serialized beforehand; each round on a new store.
     *
     * @return events per second, the median of the rounds
     */
    private double storeOnlyAppends() {
        EventSerializer serializer = EventSerializer.of(Account.TYPES);
        List<List<EventData>> events = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            List<EventData> own = new ArrayList<>(w7AppendsPerWriter);
            for (AccountEvent event : Account.events("w7-" + w, 0, w7AppendsPerWriter)) {
                own.add(serializer.serialize(event, Metadata.empty()));
            }
            events.add(own);
        }
        return Rounds.medians(options.warmups(), options.rounds(), List.of(r -> {
            try (InMemoryEventStore store = InMemoryEventStore.create()) {
                long nanos = writers.run(WRITERS, w -> () -> {
                    StreamId stream = StreamId.of(Account.CATEGORY, "w7-" + w);
                    List<EventData> own = events.get(w);
                    for (int i = 0; i < own.size(); i++) {
                        store.append(stream, ExpectedVersion.exactly(i), List.of(own.get(i)));
                    }
                    return 0L;
                })[0];
                long total = (long) WRITERS * w7AppendsPerWriter;
                check(store.headPosition() == total, "the store holds " + store.headPosition() + " events of " + total);
                return new double[] {Rounds.rate(total, nanos)};
            }
        }))[0][0];
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new IllegalStateException(failure);
        }
    }

    @Override
    public void close() {
        writers.close();
    }
}
