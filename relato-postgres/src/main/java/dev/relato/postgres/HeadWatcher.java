package dev.relato.postgres;

import dev.relato.spi.AppendSignal;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread that reads the head of the global log (the highest position readers may see) and fires the
 * {@link AppendSignal} when it moves, so that subscriptions learn of appends made by other processes, other
 * store instances, and callers' transactions, which commit when the store cannot see it. Appends through the
 * store's own transactions fire the signal themselves, at once.
 *
 * <p>The poll adapts: every {@link #FAST} while the head moved within the last {@link #ACTIVE}, or since
 * {@link #hurry()} was called; when the log is quiet, the wait doubles up to the idle ceiling. Each read borrows
 * a connection for one short read-only statement, which takes no transaction id and so never holds readers of
 * the log back; nothing is sent on the commit path of any append. The thread runs only while
 * {@code keepWatching} says so (the store's subscriptions are open) and ends by itself otherwise. A failed read
 * is logged at debug level and tried again at the idle ceiling: the subscriptions' own reads report failures.
 * Thread-safe.
 */
final class HeadWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(HeadWatcher.class);
    /** The wait between reads while the log is busy. */
    static final Duration FAST = Duration.ofMillis(10);
    /** How long after the head last moved the log counts as busy. */
    static final Duration ACTIVE = Duration.ofSeconds(2);
    /** The longest wait between reads, whatever the subscriptions' poll interval. */
    static final Duration MAX_IDLE = Duration.ofSeconds(1);
    /** The longest {@link #close()} waits for the thread. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final LongSupplier head;
    private final AppendSignal signal;
    private final BooleanSupplier keepWatching;
    private final long idleNanos;
    private final Thread thread;
    private final Object wake = new Object();
    private volatile long hurriedAt;
    private volatile boolean stopping;

    /**
     * @param head         reads the head position; may throw
     * @param idle         the subscriptions' poll interval: the wait between reads never exceeds it (nor
     *                     {@link #MAX_IDLE})
     * @param keepWatching asked before each read; false ends the thread
     */
    HeadWatcher(String name, LongSupplier head, AppendSignal signal, Duration idle, BooleanSupplier keepWatching) {
        this.head = head;
        this.signal = signal;
        this.keepWatching = keepWatching;
        this.idleNanos = Math.max(FAST.toNanos(), Math.min(idle.toNanos(), MAX_IDLE.toNanos()));
        this.hurriedAt = System.nanoTime() - 2 * ACTIVE.toNanos();
        this.thread = new Thread(this::run, "relato-postgres-head-watcher-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Something in this process is about to commit (an append in a caller's transaction): read at the fast
     * pace from now on, so the commit is noticed within about {@link #FAST}.
     */
    void hurry() {
        hurriedAt = System.nanoTime();
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run() {
        long last = Long.MIN_VALUE;
        long lastChange = System.nanoTime();
        long wait = FAST.toNanos();
        try {
            while (!stopping && keepWatching.getAsBoolean()) {
                long now = System.nanoTime();
                try {
                    long current = head.getAsLong();
                    if (current != last) {
                        // the first read too: a subscription may have read the log just before a commit this
                        // read is the first to see
                        signal.fire();
                        last = current;
                        lastChange = now;
                    }
                    boolean busy = now - lastChange < ACTIVE.toNanos() || now - hurriedAt < ACTIVE.toNanos();
                    wait = busy ? FAST.toNanos() : Math.min(wait * 2, idleNanos);
                } catch (RuntimeException e) {
                    LOG.debug("reading the head of the log failed; trying again in {} ms: {}", idleNanos / 1_000_000,
                            e.toString());
                    wait = idleNanos;
                }
                pause(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits {@code nanos}, or less if {@link #hurry()} is called meanwhile. */
    private void pause(long nanos) throws InterruptedException {
        long hurried = hurriedAt;
        long deadline = System.nanoTime() + nanos;
        synchronized (wake) {
            for (long left = nanos; left > 0 && hurriedAt == hurried && !stopping; left = deadline - System.nanoTime()) {
                wake.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /**
     * Stops the thread and waits for it to end: at most the read in progress, and no longer than
     * {@link #CLOSE_WAIT} (a read waiting for a pool's connection ends by itself later; the thread is a daemon).
     */
    void close() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
