package dev.relato.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.RecordedEvent;
import dev.relato.StreamId;
import dev.relato.Subscription;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A timing harness run by hand, not a test: the rate of single-event appends with 1 and 8 writers, and the
 * delay until a subscriber in another process receives each event (from its recorded time, taken inside the
 * appending transaction, to its delivery). With {@code contend} instead of the seconds: 32 writers on one stream
 * with any(), streamExists() and exact versions, the conflicts they met, the transactions PostgreSQL rolled back
 * meanwhile, and whether the log keeps the stream's versions in order.
 *
 * <pre>
 * java -cp … dev.relato.postgres.DeliveryHarness jdbc:postgresql://127.0.0.1:5432/db?user=postgres [seconds|contend]
 * </pre>
 */
public final class DeliveryHarness {

    private DeliveryHarness() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("subscribe")) {
            subscribe(args[1], args[2], Integer.parseInt(args[3]));
            return;
        }
        String url = args[0];
        if (args.length > 1 && args[1].equals("contend")) {
            contend(url, 32, 40);
            return;
        }
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        for (String mode : List.of("own", "caller")) {
            for (int writers : new int[] {1, 8}) {
                if (mode.equals("caller") && writers == 1) {
                    continue;
                }
                run(url, mode, writers, seconds);
            }
        }
    }

    private static HikariDataSource pool(String url, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }

    private static void run(String url, String mode, int writers, int seconds) throws Exception {
        String schema = "harness_" + Long.toHexString(System.nanoTime());
        try (HikariDataSource pool = pool(url, writers + 2);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build()) {
            store.migrate();
            Process subscriber = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(),
                    "-cp", System.getProperty("java.class.path"), DeliveryHarness.class.getName(), "subscribe", url, schema,
                    String.valueOf(seconds + 6)).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(subscriber.getInputStream(),
                    StandardCharsets.UTF_8));
            String ready;
            do {
                ready = out.readLine();
            } while (ready != null && !ready.equals("ready"));
            if (ready == null) {
                throw new IllegalStateException("the subscriber process did not start");
            }
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong appends = new AtomicLong();
            ExecutorService executor = Executors.newFixedThreadPool(writers);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                StreamId stream = StreamId.of("Harness", "w" + w);
                done.add(executor.submit(() -> {
                    while (!stop.get()) {
                        // "m":1 marks the events appended while measuring: the subscriber times only those
                        List<EventData> event = List.of(EventData.of("Tick", "{\"amount\":12.5,\"m\":"
                                + (measuring.get() ? 1 : 0) + "}"));
                        if (mode.equals("own")) {
                            store.append(stream, ExpectedVersion.any(), event);
                        } else {
                            try (Connection c = pool.getConnection()) {
                                c.setAutoCommit(false);
                                store.append(c, stream, ExpectedVersion.any(), event);
                                c.commit();
                                c.setAutoCommit(true);
                            }
                        }
                        if (measuring.get()) {
                            appends.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(2_000); // warm-up
            measuring.set(true);
            long start = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            measuring.set(false);
            double elapsed = (System.nanoTime() - start) / 1e9;
            stop.set(true);
            for (Future<?> f : done) {
                f.get();
            }
            executor.shutdown();
            String line;
            String latency = "no report";
            while ((line = out.readLine()) != null) {
                if (line.startsWith("latency")) {
                    latency = line;
                }
            }
            subscriber.waitFor();
            System.out.printf("%-6s transaction, %d writer(s): %,.0f appends/s; subscriber in another process: %s%n",
                    mode, writers, appends.get() / elapsed, latency);
        } finally {
            try (HikariDataSource pool = pool(url, 1); Connection c = pool.getConnection()) {
                c.createStatement().execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
            }
        }
    }

    private static void contend(String url, int writers, int appendsEach) throws Exception {
        String schema = "harness_" + Long.toHexString(System.nanoTime());
        StreamId stream = StreamId.of("Contended", "one");
        AtomicLong conflicts = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long rollbacksBefore = rollbacks(url);
        try (HikariDataSource pool = pool(url, writers + 2);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build()) {
            store.migrate();
            ExecutorService executor = Executors.newFixedThreadPool(writers);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(executor.submit(() -> {
                    for (int i = 0; i < appendsEach; i++) {
                        List<EventData> events = List.of(EventData.of("Step", "{\"w\":" + writer + "}"));
                        while (true) {
                            long version = store.streamVersion(stream);
                            ExpectedVersion expected = switch ((writer + i) % 3) {
                                case 0 -> ExpectedVersion.any();
                                case 1 -> version == 0 ? ExpectedVersion.noStream() : ExpectedVersion.streamExists();
                                default -> ExpectedVersion.exactly(version);
                            };
                            try {
                                store.append(stream, expected, events);
                                break;
                            } catch (dev.relato.WrongExpectedVersionException e) {
                                conflicts.incrementAndGet();
                            } catch (dev.relato.RelatoException e) {
                                failures.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            executor.shutdown();
            pool.getHikariPoolMXBean().softEvictConnections(); // their backends exit and report their statistics
            Thread.sleep(2_000);
            long rolledBack = rollbacks(url) - rollbacksBefore;
            List<RecordedEvent> log;
            try (var all = store.readAll(dev.relato.GlobalRead.fromStart())) {
                log = all.toList();
            }
            int inversions = 0;
            for (int i = 1; i < log.size(); i++) {
                if (log.get(i).streamVersion() < log.get(i - 1).streamVersion()) {
                    inversions++;
                }
            }
            long distinct = log.stream().map(RecordedEvent::eventId).distinct().count();
            System.out.printf("%d writers x %d appends on one stream: %d events in the log (%d distinct, versions"
                            + " 1..%d), %d places where a version follows a higher one in position order; %d"
                            + " wrong-expected-version conflicts, %d other failures, %d transactions rolled back"
                            + " in the database meanwhile%n", writers, appendsEach, log.size(), distinct,
                    store.streamVersion(stream), inversions, conflicts.get(), failures.get(), rolledBack);
        } finally {
            try (HikariDataSource pool = pool(url, 1); Connection c = pool.getConnection()) {
                c.createStatement().execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
            }
        }
    }

    private static long rollbacks(String url) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url); var s = c.createStatement();
             var rs = s.executeQuery("SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The subscriber process: prints "ready", then after {@code seconds} the delivery delays' percentiles. */
    private static void subscribe(String url, String schema, int seconds) throws Exception {
        List<Long> delays = new ArrayList<>();
        try (HikariDataSource pool = pool(url, 3);
             PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build()) {
            try (Subscription subscription = store.subscribe(store.headPosition(), EventFilter.categories("Harness"),
                    (RecordedEvent e) -> {
                        if (!e.payload().replace(" ", "").contains("\"m\":1")) {
                            return;
                        }
                        long micros = Duration.between(e.recordedAt(), Instant.now()).toNanos() / 1_000;
                        synchronized (delays) {
                            delays.add(micros);
                        }
                    })) {
                subscription.awaitCaughtUp(Duration.ofSeconds(10));
                System.out.println("ready");
                System.out.flush();
                Thread.sleep(seconds * 1_000L);
            }
        }
        long[] sorted;
        synchronized (delays) {
            sorted = delays.stream().mapToLong(Long::longValue).toArray();
        }
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            System.out.println("latency: no events");
            return;
        }
        System.out.printf("latency over %,d events: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", sorted.length,
                sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.99)] / 1e3,
                sorted[sorted.length - 1] / 1e3);
    }
}
