package dev.relato.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * W4 in a JVM of its own with the heap capped at {@value #MAX_HEAP}: {@link #fork} re-launches this program's
 * classpath with the same {@code java}, and {@link #main} reads the whole log of one subject, round after round,
 * while watching the heap: the peak used (sum of the heap pools' peaks since the warm-up) and the most heap
 * left after any garbage collection (what the read really keeps alive).
 */
final class ReadAllProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ReadAllProcess.class);
    static final String MAX_HEAP = "256m";
    private static final String RESULT = "W4-RESULT";

    private ReadAllProcess() {
    }

    /**
     * Runs W4 in a forked JVM.
     *
     * @param attach   the backend's {@link Backend#attachCommand()}
     * @param kind     the subject's kind, one of {@link Backend#kinds()}
     * @param expected how many events the log holds
     * @param pgPassword the PostgreSQL password, passed in the environment
     * @return events per second, peak heap used in MB, most heap after a GC in MB
     */
    static double[] fork(List<String> attach, String kind, long expected, int warmups, int rounds,
                         String pgPassword) throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + MAX_HEAP));
        String jfr = System.getProperty("relato.bench.jfr");
        if (jfr != null) {
            jvm.add("-XX:StartFlightRecording=filename=" + jfr + "-" + attach.get(0) + "-" + kind + ".jfr,settings=profile");
        }
        List<String> args = new ArrayList<>(List.of(kind, Long.toString(expected), Integer.toString(warmups),
                Integer.toString(rounds)));
        args.addAll(attach);
        ProcessBuilder builder = Fork.of(jvm, ReadAllProcess.class, args, pgPassword);
        Process process = builder.start();
        String result = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(RESULT + " ")) {
                    result = line;
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || result == null) {
            throw new IllegalStateException("the W4 process for " + attach.get(0) + "/" + kind + " failed (exit " + exit
                    + "); see its output above");
        }
        String[] parts = result.split(" ");
        return new double[] {Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), Double.parseDouble(parts[3])};
    }

    /**
     * Arguments: subject kind, expected events, warm-up rounds, measured rounds, then the backend's attach
     * command. Prints one result line on standard output.
     */
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        long expected = Long.parseLong(args[1]);
        int warmups = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        List<String> attach = List.of(args).subList(4, args.length);
        HeapWatch heap = new HeapWatch();
        try (Backend backend = Backend.attach(attach)) {
            Subject subject = backend.subject(kind);
            List<double[]> measured = new ArrayList<>();
            for (int r = 0; r < warmups + rounds; r++) {
                if (r == warmups) {
                    heap.reset();
                }
                long start = System.nanoTime();
                long read = subject.readAll();
                long nanos = System.nanoTime() - start;
                if (read != expected) {
                    throw new IllegalStateException("read " + read + " events of " + expected);
                }
                double rate = Rounds.rate(read, nanos);
                LOG.debug("{}/{}: round {} read {} events at {} events/s", attach.get(0), kind, r, read, (long) rate);
                if (r >= warmups) {
                    measured.add(new double[] {rate});
                }
            }
            double rate = Rounds.medianOf(measured)[0];
            // the one line the harness reads: rate, peak heap MB, most heap after a GC MB, and the sink
            System.out.println(RESULT + " " + rate + " " + heap.peakMegabytes() + " " + heap.afterGcMegabytes() + " "
                    + Blackhole.value());
        }
    }

    /** Watches the heap: pool peaks, and the heap in use after each garbage collection. */
    private static final class HeapWatch {
        private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        private final Set<String> heapPoolNames = heapPools.stream().map(MemoryPoolMXBean::getName)
                .collect(Collectors.toSet());
        private final AtomicLong mostAfterGc = new AtomicLong();

        HeapWatch() {
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
                                .from((CompositeData) notification.getUserData());
                        long used = 0;
                        for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                            if (heapPoolNames.contains(pool.getKey())) {
                                used += pool.getValue().getUsed();
                            }
                        }
                        mostAfterGc.accumulateAndGet(used, Math::max);
                    }
                }, null, null);
            }
        }

        /** Forgets the warm-up: collects its garbage (counted as the first heap after a GC), then resets the peaks. */
        void reset() {
            mostAfterGc.set(0);
            System.gc();
            mostAfterGc.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
            heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        }

        double peakMegabytes() {
            long peak = 0;
            for (MemoryPoolMXBean pool : heapPools) {
                peak += pool.getPeakUsage().getUsed();
            }
            return peak / (1024.0 * 1024.0);
        }

        double afterGcMegabytes() {
            return mostAfterGc.get() / (1024.0 * 1024.0);
        }
    }
}
