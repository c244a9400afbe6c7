package dev.relato.bench;

import dev.relato.AppendResult;
import dev.relato.StreamId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How long a committed append takes to reach subscribers: 8 writers append one event at a time to streams of
 * their own at full speed (the W2 rate) while a subscriber in this JVM and, where the database can be opened from
 * another process, one in a forked JVM note when each event arrives. The latency of an event is the time from the
 * return of its {@code append} to its delivery (0 if it was delivered before the append returned). A warm-up pass
 * precedes the measured one. Used by one thread at a time.
 */
final class DeliveryLatency {
    private final Writers writers;
    private final int warmupPerWriter;
    private final int appendsPerWriter;
    private final String pgPassword;

    /**
     * @param warmupPerWriter  appends per writer before the measured ones
     * @param appendsPerWriter measured appends per writer
     */
    DeliveryLatency(Writers writers, int warmupPerWriter, int appendsPerWriter, String pgPassword) {
        this.writers = writers;
        this.warmupPerWriter = warmupPerWriter;
        this.appendsPerWriter = appendsPerWriter;
        this.pgPassword = pgPassword;
    }

    /**
     * @return p50 and p99 in milliseconds in this process, then in another process (NaN if the backend cannot be
     * opened from another process)
     */
    double[] measure(Backend backend) throws Exception {
        RelatoSubject relato = backend.relato();
        int total = Writers.MAX * (warmupPerWriter + appendsPerWriter);
        Optional<Process> child = Optional.empty();
        BufferedReader childOut = null;
        if (backend.attachCommand().isPresent()) {
            List<String> args = new java.util.ArrayList<>(List.of(Integer.toString(total)));
            args.addAll(backend.attachCommand().get());
            Process process = Fork.of(List.of("-Xmx256m"), SubscriberProcess.class, args, pgPassword).start();
            child = Optional.of(process);
            childOut = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            expectLine(childOut, SubscriberProcess.READY);
        }
        try {
            Map<Long, Long> returned = new HashMap<>();
            double[] here;
            try (Deliveries deliveries = new Deliveries(relato.store(), total)) {
                appendAll(relato, 0, warmupPerWriter, null);
                appendAll(relato, warmupPerWriter, appendsPerWriter, returned);
                deliveries.await(Duration.ofMinutes(2));
                long[][] delivered = new long[deliveries.size()][];
                for (int i = 0; i < delivered.length; i++) {
                    delivered[i] = new long[] {deliveries.position(i), deliveries.deliveredAt(i)};
                }
                here = percentiles(returned, delivered, "this process");
            }
            double[] there = {Double.NaN, Double.NaN};
            if (childOut != null) {
                there = percentiles(returned, readDeliveries(childOut, total), "another process");
                int exit = child.get().waitFor();
                if (exit != 0) {
                    throw new IllegalStateException("the subscriber process exited with " + exit);
                }
            }
            return new double[] {here[0], here[1], there[0], there[1]};
        } finally {
            child.ifPresent(Process::destroy);
        }
    }

    /**
     * Each writer appends {@code count} events to its stream after version {@code from}, noting in
     * {@code returned} (if given) each event's position and when its append returned.
     */
    private void appendAll(RelatoSubject relato, int from, int count, Map<Long, Long> returned) throws Exception {
        long[][] positions = new long[Writers.MAX][count];
        long[][] nanos = new long[Writers.MAX][count];
        writers.run(Writers.MAX, w -> () -> {
            String id = "latency-" + w;
            StreamId stream = StreamId.of(Deliveries.CATEGORY, id);
            for (int i = 0; i < count; i++) {
                AppendResult result = relato.appended(stream, from + i, List.of(Account.event(id, from + i)));
                nanos[w][i] = System.nanoTime();
                positions[w][i] = result.lastPosition();
            }
            return 0L;
        });
        if (returned != null) {
            for (int w = 0; w < Writers.MAX; w++) {
                for (int i = 0; i < count; i++) {
                    returned.put(positions[w][i], nanos[w][i]);
                }
            }
        }
    }

    private static void expectLine(BufferedReader out, String expected) throws IOException {
        String line = out.readLine();
        if (!expected.equals(line)) {
            throw new IllegalStateException("the subscriber process said '" + line + "' instead of " + expected
                    + "; see its output above");
        }
    }

    private static long[][] readDeliveries(BufferedReader out, int total) throws IOException {
        long[][] delivered = new long[total][];
        for (int i = 0; i < total; i++) {
            String line = out.readLine();
            String[] parts = line == null ? new String[0] : line.split(" ");
            if (parts.length != 3 || !parts[0].equals(SubscriberProcess.AT)) {
                throw new IllegalStateException("the subscriber process said '" + line + "'; see its output above");
            }
            delivered[i] = new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
        }
        expectLine(out, SubscriberProcess.DONE);
        return delivered;
    }

    /**
     * p50 and p99 of the delivery latency of the measured events, in milliseconds.
     *
     * @param returned  position → when its append returned
     * @param delivered pairs of position and when it was delivered
     * @throws IllegalStateException if a measured event was not delivered
     */
    private static double[] percentiles(Map<Long, Long> returned, long[][] delivered, String where) {
        Map<Long, Long> deliveredAt = new HashMap<>();
        for (long[] d : delivered) {
            deliveredAt.put(d[0], d[1]);
        }
        double[] millis = new double[returned.size()];
        int i = 0;
        for (Map.Entry<Long, Long> append : returned.entrySet()) {
            Long at = deliveredAt.get(append.getKey());
            if (at == null) {
                throw new IllegalStateException("the subscriber in " + where + " never got position " + append.getKey());
            }
            millis[i++] = Math.max(0, at - append.getValue()) / 1e6;
        }
        Arrays.sort(millis);
        return new double[] {percentile(millis, 0.50), percentile(millis, 0.99)};
    }

    /** The value below which a fraction {@code p} of the sorted values lie (nearest rank). */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
