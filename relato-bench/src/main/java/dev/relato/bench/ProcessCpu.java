package dev.relato.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time this JVM's threads have used, all together (the store's writer, the span exporter, the collector and
 * the JIT included): a figure that other processes on a shared machine disturb far less than wall-clock rates, since
 * time spent waiting for the CPU is not counted. A database server's work, in its own processes, is not in it.
 *
 * <p>On Linux it is the sum of every thread's time on the CPU from {@code /proc/self/task/<tid>/schedstat}, in
 * nanoseconds; a thread that ends between two readings takes its time with it, so the rounds measured keep their
 * threads. Elsewhere it is the JVM's process CPU time, which Linux would count only in 10 ms ticks. Thread-safe.
 */
final class ProcessCpu {
    private static final Path TASKS = Path.of("/proc/self/task");

    private ProcessCpu() {
    }

    /** The CPU time so far in nanoseconds, or -1 where the platform does not tell. */
    static long nanos() {
        if (Files.isDirectory(TASKS)) {
            long total = 0;
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
                for (Path task : tasks) {
                    try {
                        String stat = Files.readString(task.resolve("schedstat"));
                        total += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
                    } catch (IOException | RuntimeException gone) {
                        // the thread ended while the directory was read: its time is no longer counted anywhere
                    }
                }
                return total;
            } catch (IOException e) {
                // fall back to the process's own figure
            }
        }
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    /** Operations per CPU second for {@code operations} done between two readings; NaN if the platform does not tell. */
    static double rate(long operations, long startNanos, long endNanos) {
        return startNanos < 0 || endNanos <= startNanos ? Double.NaN : operations * 1e9 / (endNanos - startNanos);
    }
}
