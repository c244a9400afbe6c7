package dev.relato.bench;

import dev.relato.StreamId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The growth run (not part of the workloads): Relato's PostgreSQL store, in a schema of its own, grows by appends of
 * {@value #BATCH} events (each to a new stream, one writer) to the size asked for, in {@value #STEPS} equal steps.
 * It reports the append rate of each step (the rate must not fall as the log grows: the slowest step at least
 * 0.8 times the fastest), the bytes per event of each table and its indexes at the end, and the whole-log read of
 * W4 in a forked JVM with {@code -Xmx}{@value ReadAllProcess#MAX_HEAP} after the first step and at the end (its
 * heap must stay flat). Used by one thread.
 */
final class GrowthRun {
    private static final Logger LOG = LoggerFactory.getLogger(GrowthRun.class);
    /** Events per append. */
    static final int BATCH = 100;
    /** Steps of equal size whose rates are compared. */
    static final int STEPS = 10;
    /** How much slower than the fastest step the slowest may be. */
    static final double FLAT = 0.8;

    private GrowthRun() {
    }

    /** Runs the growth run and returns its report. */
    static String run(BenchOptions options) throws Exception {
        long perStep = options.growthEvents() / STEPS / BATCH * BATCH;
        Instant start = Instant.now();
        try (PostgresBackend backend = PostgresBackend.create(options.pgUrl(), options.pgUser(), options.pgPassword())) {
            RelatoSubject relato = backend.relato();
            double[] rates = new double[STEPS];
            double[] firstRead = null;
            long appended = 0;
            int stream = 0;
            for (int step = 0; step < STEPS; step++) {
                long begin = System.nanoTime();
                for (long n = 0; n < perStep; n += BATCH) {
                    String id = "growth-" + stream++;
                    relato.append(StreamId.of(Account.CATEGORY, id), 0, Account.events(id, 0, BATCH));
                }
                rates[step] = Rounds.rate(perStep, System.nanoTime() - begin);
                appended += perStep;
                LOG.info("growth: {} events, the last {} at {} events/s", appended, perStep, (long) rates[step]);
                if (step == 0) {
                    firstRead = read(backend, appended, options);
                }
            }
            List<String[]> sizes = sizes(backend, appended);
            double[] lastRead = read(backend, appended, options);
            return report(options, perStep, rates, sizes, firstRead, lastRead,
                    Duration.between(start, Instant.now()));
        }
    }

    /** W4 in a forked JVM: events per second, peak heap MB, most heap after a GC MB. */
    private static double[] read(PostgresBackend backend, long expected, BenchOptions options) throws Exception {
        return ReadAllProcess.fork(backend.attachCommand().orElseThrow(), Backend.RELATO, expected, 0, 1,
                options.pgPassword());
    }

    /** Per table of the schema: name, and heap, index and total bytes per event. */
    private static List<String[]> sizes(PostgresBackend backend, long events) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        long[] sum = new long[3];
        try (Connection connection = backend.pool().getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT c.relname, pg_relation_size(c.oid),"
                     + " pg_indexes_size(c.oid), pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n"
                     + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'p')"
                     + " ORDER BY pg_total_relation_size(c.oid) DESC")) {
            select.setString(1, backend.schema());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    long[] bytes = {rs.getLong(2), rs.getLong(3), rs.getLong(4)};
                    for (int i = 0; i < 3; i++) {
                        sum[i] += bytes[i];
                    }
                    if (bytes[2] >= 64 * 1024) {
                        rows.add(perEvent(rs.getString(1), bytes, events));
                    }
                }
            }
        }
        rows.add(perEvent("all tables", sum, events));
        return rows;
    }

    private static String[] perEvent(String table, long[] bytes, long events) {
        return new String[] {table, String.format(Locale.ROOT, "%.1f", bytes[0] / (double) events),
                String.format(Locale.ROOT, "%.1f", bytes[1] / (double) events),
                String.format(Locale.ROOT, "%.1f", bytes[2] / (double) events)};
    }

    private static String report(BenchOptions options, long perStep, double[] rates, List<String[]> sizes,
                                 double[] firstRead, double[] lastRead, Duration took) {
        long total = perStep * STEPS;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Relato growth run: %,d events appended to PostgreSQL in appends of %d"
                + " events (a new stream each), 1 writer; run took %d s%n%n", total, BATCH, took.toSeconds()));
        out.append(String.format(Locale.ROOT, "%-28s  %12s%n", "events in the log", "events/s"));
        double slowest = Double.MAX_VALUE;
        double fastest = 0;
        for (int step = 0; step < STEPS; step++) {
            out.append(String.format(Locale.ROOT, "%-28s  %,12.0f%n", String.format(Locale.ROOT, "%,d to %,d",
                    perStep * step, perStep * (step + 1)), rates[step]));
            slowest = Math.min(slowest, rates[step]);
            fastest = Math.max(fastest, rates[step]);
        }
        double flatness = slowest / fastest;
        out.append(String.format(Locale.ROOT, "slowest / fastest step: %.2f (target >= %.2f) %s%n%n", flatness, FLAT,
                flatness >= FLAT ? "ok" : "MISS"));
        out.append(String.format(Locale.ROOT, "bytes per event at %,d events%n", total));
        out.append(String.format(Locale.ROOT, "%-20s  %8s  %8s  %8s%n", "table", "heap", "indexes", "total"));
        for (String[] row : sizes) {
            out.append(String.format(Locale.ROOT, "%-20s  %8s  %8s  %8s%n", (Object[]) row));
        }
        out.append("(heap: pg_relation_size; indexes: pg_indexes_size; total: pg_total_relation_size, TOAST included)")
                .append(System.lineSeparator()).append(System.lineSeparator());
        out.append(String.format(Locale.ROOT, "readAll of the whole log in a JVM with -Xmx%s%n", ReadAllProcess.MAX_HEAP));
        out.append(String.format(Locale.ROOT, "%-14s  %12s  %14s  %22s%n", "events", "events/s", "peak heap MB",
                "most heap after GC MB"));
        for (Object[] read : new Object[][] {{perStep, firstRead}, {total, lastRead}}) {
            double[] figures = (double[]) read[1];
            out.append(String.format(Locale.ROOT, "%,14d  %,12.0f  %14.0f  %22.1f%n", (long) read[0], figures[0],
                    figures[1], figures[2]));
        }
        return out.toString();
    }
}
