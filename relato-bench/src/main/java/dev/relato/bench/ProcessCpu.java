package dev.relato.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The CPU time this JVM has used, all its threads together (the store's writer, the span exporter, the collector
 * and the JIT included): a figure that other processes on a shared machine disturb far less than wall-clock
 * rates, since time spent waiting for the CPU is not counted. A database server's work, in its own processes, is
 * not in it. Thread-safe.
 */
final class ProcessCpu {
    private ProcessCpu() {
    }

    /** The process's CPU time so far in nanoseconds, or -1 where the platform does not tell. */
    static long nanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    /** Operations per CPU second for {@code operations} done between two readings; NaN if the platform does not tell. */
    static double rate(long operations, long startNanos, long endNanos) {
        return startNanos < 0 || endNanos <= startNanos ? Double.NaN : operations * 1e9 / (endNanos - startNanos);
    }
}
