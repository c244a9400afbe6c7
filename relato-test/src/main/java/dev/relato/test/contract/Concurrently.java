package dev.relato.test.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opentest4j.AssertionFailedError;

/**
 * Runs work on many threads at once, released together by a start gate, and reports the first failure
 * of any of them as the test's failure. Waits are bounded by {@link Await#LIMIT}.
 */
final class Concurrently {

    /** One thread's work; {@code worker} is 0 to threads - 1. */
    @FunctionalInterface
    interface Work {
        void run(int worker) throws Exception;
    }

    private Concurrently() {
    }

    /** Runs {@code work} on {@code threads} threads started together and waits for all of them. */
    static void run(int threads, Work work) {
        Running running = start(threads, work);
        running.await();
    }

    /** Starts {@code work} on {@code threads} threads released together; {@link Running#await()} joins them. */
    static Running start(int threads, Work work) {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "relato-contract-worker");
            t.setDaemon(true);
            return t;
        });
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>(threads);
        for (int i = 0; i < threads; i++) {
            int worker = i;
            futures.add(pool.submit(() -> {
                gate.await();
                work.run(worker);
                return null;
            }));
        }
        gate.countDown();
        return new Running(pool, futures);
    }

    /** Threads started by {@link #start(int, Work)}. */
    static final class Running {
        private final ExecutorService pool;
        private final List<Future<?>> futures;

        private Running(ExecutorService pool, List<Future<?>> futures) {
            this.pool = pool;
            this.futures = futures;
        }

        /** Whether every thread has finished. */
        boolean isDone() {
            return futures.stream().allMatch(Future::isDone);
        }

        /** Waits for every thread; rethrows the first failure. */
        void await() {
            long deadline = System.nanoTime() + Await.LIMIT.toNanos();
            try {
                for (Future<?> f : futures) {
                    f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof AssertionError a) {
                    throw a;
                }
                throw new AssertionFailedError("a worker thread failed: " + cause, cause);
            } catch (TimeoutException e) {
                throw new AssertionFailedError("worker threads did not finish within " + Await.LIMIT.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionFailedError("interrupted while waiting for worker threads", e);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
