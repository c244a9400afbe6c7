package dev.relato.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * The writer threads of the concurrent workloads: up to {@value #MAX} tasks started together. Used by one thread at
 * a time; {@link #close()} stops the threads.
 */
final class Writers implements AutoCloseable {
    /** The most writers a workload runs. */
    static final int MAX = 8;

    private final ExecutorService threads = Executors.newFixedThreadPool(MAX, runnable -> {
        Thread thread = new Thread(runnable, "bench-writer");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Runs one task per writer, all released at once, and waits for them.
     *
     * @return the elapsed nanoseconds, and the sum of the tasks' results
     * @throws java.util.concurrent.ExecutionException if a task failed
     */
    long[] run(int writers, IntFunction<Callable<Long>> task) throws Exception {
        if (writers > MAX) {
            throw new IllegalArgumentException("at most " + MAX + " writers, not " + writers);
        }
        CountDownLatch ready = new CountDownLatch(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Callable<Long> work = task.apply(w);
            futures.add(threads.submit(() -> {
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

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
