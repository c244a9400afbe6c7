package dev.relato.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventData;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.micrometer.RelatoMetrics;
import dev.relato.observe.RelatoObserver;
import dev.relato.opentelemetry.RelatoTracing;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.sqlite.SqliteEventStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The cost of observation on the append path: W1 (batch appends) and W2 (single appends, 1 and 8 writers) on a
 * plain store and on the same kind of store reporting to Micrometer ({@code RelatoMetrics} on a
 * {@code SimpleMeterRegistry}) and OpenTelemetry ({@code RelatoTracing} on the SDK, every span sampled and
 * exported in batches to an exporter that drops them), their rounds interleaved in one run (in alternating order).
 * Each observed round is divided by the plain round beside it; the change printed is the median of those ratios,
 * with their quartiles and range, beside the medians of both rates.
 *
 * <pre>java -cp relato-bench/target/relato-bench.jar dev.relato.bench.ObserverOverhead [memory,sqlite,postgres] [rounds] [metrics|tracing|both]</pre>
 */
public final class ObserverOverhead {
    private static final String PAYLOAD = "{\"accountId\":\"%s\",\"amount\":100,\"currency\":\"EUR\",\"note\":\"deposit\"}";
    private static final int W1_STREAMS = 500;
    private static final int W1_EVENTS = 100;
    private static final int W2_APPENDS = 2000;
    private static final int W2_WRITERS = 8;
    private static final int W2_PER_WRITER = 250;
    /**
     * The W2 writers, the same threads for every round, so that the CPU time of a round's threads is still counted
     * at its end ({@link ProcessCpu}).
     */
    private static final ExecutorService WRITERS = Executors.newFixedThreadPool(W2_WRITERS, runnable -> {
        Thread thread = new Thread(runnable, "w2-writer");
        thread.setDaemon(true);
        return thread;
    });
    /** The target: the observed store at most this share slower than the plain one. */
    private static final double TARGET = 0.05;
    /**
     * Warm-up rounds before the measured ones: on the in-memory store a round lasts milliseconds, too little for
     * the JIT to have compiled the observed path after two, so it gets ten.
     */
    private static final int WARMUPS = 2;
    private static final int MEMORY_WARMUPS = 10;

    private ObserverOverhead() {
    }

    public static void main(String[] args) throws Exception {
        List<String> backends = List.of((args.length > 0 ? args[0] : "memory,sqlite,postgres").split(","));
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(BatchSpanProcessor.builder(new DroppingExporter()).build()).build()).build();
        String observe = args.length > 2 ? args[2] : "both";
        RelatoObserver observer = switch (observe) {
            case "metrics" -> RelatoMetrics.of(new SimpleMeterRegistry());
            case "tracing" -> RelatoTracing.of(sdk);
            case "both" -> RelatoObserver.of(RelatoMetrics.of(new SimpleMeterRegistry()), RelatoTracing.of(sdk));
            default -> throw new IllegalArgumentException("observe metrics, tracing or both, not " + observe);
        };
        System.out.println("observed: " + observe + ", " + rounds + " rounds");
        System.out.printf(Locale.ROOT, "%-10s %-32s %14s %14s %9s%n", "backend", "figure (events/s)", "plain",
                "observed", "change");
        for (String backend : backends) {
            try (Stores stores = Stores.open(backend, observer)) {
                report(backend, "W1 batch append", rounds, stores, ObserverOverhead::w1, W1_STREAMS * W1_EVENTS);
                report(backend, "W2 single appends, 1 writer", rounds, stores, ObserverOverhead::w2One, W2_APPENDS);
                report(backend, "W2 single appends, 8 writers", rounds, stores, ObserverOverhead::w2Many,
                        W2_WRITERS * W2_PER_WRITER);
            }
        }
        sdk.close();
    }

    /** A workload: appends on the store in round {@code round} (its streams its own), returns events per second. */
    @FunctionalInterface
    private interface Workload {
        double run(EventStore store, String round) throws Exception;
    }

    /** One round of {@code workload}: its events per second, and per CPU second of this JVM. */
    private static double[] figures(Workload workload, EventStore store, String round, int events) throws Exception {
        long cpu = ProcessCpu.nanos();
        double rate = workload.run(store, round);
        return new double[] {rate, ProcessCpu.rate(events, cpu, ProcessCpu.nanos())};
    }

    private static void report(String backend, String figure, int rounds, Stores stores, Workload workload,
                               int events) {
        List<List<double[]>> measured = Rounds.measured(backend.equals("memory") ? MEMORY_WARMUPS : WARMUPS, rounds,
                List.of(r -> figures(workload, stores.plain(), "p" + r, events),
                        r -> figures(workload, stores.observed(), "o" + r, events)));
        PairedRatio paired = PairedRatio.of(measured.get(0), measured.get(1), 0);
        PairedRatio perCpu = PairedRatio.of(measured.get(0), measured.get(1), 1);
        System.out.printf(Locale.ROOT, "%-10s %-32s %14.0f %14.0f %+8.1f%%  (%s)%s%n%-10s %-32s %14.0f %14.0f %+8.1f%%"
                        + "  (%s)%n", backend, figure, paired.base(), paired.other(), (paired.median() - 1) * 100,
                paired.spread(), paired.median() >= 1 - TARGET ? "" : "  (target: at most "
                        + Math.round(TARGET * 100) + " % slower)", "", "  per CPU second of this JVM", perCpu.base(),
                perCpu.other(), (perCpu.median() - 1) * 100, perCpu.spread());
    }

    private static EventData event() {
        return EventData.of("Deposited", String.format(Locale.ROOT, PAYLOAD, UUID.randomUUID()));
    }

    private static double w1(EventStore store, String round) {
        long start = System.nanoTime();
        for (int s = 0; s < W1_STREAMS; s++) {
            List<EventData> events = new ArrayList<>(W1_EVENTS);
            for (int e = 0; e < W1_EVENTS; e++) {
                events.add(event());
            }
            store.append(StreamId.of("Account", "w1-" + round + "-" + s), ExpectedVersion.noStream(), events);
        }
        return W1_STREAMS * W1_EVENTS / seconds(start);
    }

    private static double w2One(EventStore store, String round) {
        long start = System.nanoTime();
        appendSingly(store, "w2-" + round, W2_APPENDS);
        return W2_APPENDS / seconds(start);
    }

    private static double w2Many(EventStore store, String round) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (int w = 0; w < W2_WRITERS; w++) {
            String prefix = "w2m-" + round + "-" + w;
            done.add(WRITERS.submit(() -> appendSingly(store, prefix, W2_PER_WRITER)));
        }
        for (Future<?> f : done) {
            f.get();
        }
        return W2_WRITERS * W2_PER_WRITER / seconds(start);
    }

    /** {@code appends} appends of one event each, with the exact expected version, 100 to a stream. */
    private static void appendSingly(EventStore store, String prefix, int appends) {
        for (int i = 0; i < appends; i++) {
            store.append(StreamId.of("Account", prefix + "-" + i / 100), ExpectedVersion.exactly(i % 100),
                    List.of(event()));
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * A plain store and an observed one of the same backend, each in its own file or schema. In memory, each round
     * gets new stores, so that the heap does not grow with the events of earlier rounds (the SQL stores keep theirs
     * on disk).
     */
    private static final class Stores implements AutoCloseable {
        private final Function<RelatoObserver, EventStore> make;
        private final RelatoObserver observer;
        private final boolean newPerRound;
        private final List<AutoCloseable> cleanUp;
        private EventStore plain;
        private EventStore observed;

        private Stores(Function<RelatoObserver, EventStore> make, RelatoObserver observer, boolean newPerRound,
                       List<AutoCloseable> cleanUp) {
            this.make = make;
            this.observer = observer;
            this.newPerRound = newPerRound;
            this.cleanUp = cleanUp;
            this.plain = make.apply(RelatoObserver.none());
            this.observed = make.apply(observer);
        }

        EventStore plain() {
            if (newPerRound) {
                plain.close();
                plain = make.apply(RelatoObserver.none());
            }
            return plain;
        }

        EventStore observed() {
            if (newPerRound) {
                observed.close();
                observed = make.apply(observer);
            }
            return observed;
        }

        static Stores open(String backend, RelatoObserver observer) throws Exception {
            List<AutoCloseable> cleanUp = new ArrayList<>();
            Function<RelatoObserver, EventStore> make = switch (backend) {
                case "memory" -> o -> InMemoryEventStore.builder().observer(o).build();
                case "sqlite" -> {
                    Path dir = Files.createTempDirectory("relato-overhead-");
                    cleanUp.add(() -> deleteTree(dir));
                    yield o -> SqliteEventStore.builder().path(dir.resolve(UUID.randomUUID() + ".db")).observer(o).build();
                }
                case "postgres" -> {
                    String url = System.getProperty("relato.pg.url", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
                    HikariConfig config = new HikariConfig();
                    config.setJdbcUrl(url);
                    config.setMaximumPoolSize(10);
                    HikariDataSource pool = new HikariDataSource(config);
                    List<String> schemas = new ArrayList<>();
                    cleanUp.add(() -> dropSchemas(url, schemas));
                    cleanUp.add(pool);
                    yield o -> {
                        String schema = "relato_overhead_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
                        schemas.add(schema);
                        PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema)
                                .observer(o).build();
                        store.migrate();
                        return store;
                    };
                }
                default -> throw new IllegalArgumentException("unknown backend " + backend
                        + "; use memory, sqlite or postgres");
            };
            return new Stores(make, observer, backend.equals("memory"), cleanUp);
        }

        @Override
        public void close() throws Exception {
            observed.close();
            plain.close();
            for (AutoCloseable c : cleanUp) {
                c.close();
            }
        }

        private static void dropSchemas(String url, List<String> schemas) throws Exception {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                for (String schema : schemas) {
                    s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
            }
        }

        private static void deleteTree(Path dir) throws Exception {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Takes spans and drops them: the cost measured is Relato's and the SDK's, not an exporter's network. */
    private static final class DroppingExporter implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
