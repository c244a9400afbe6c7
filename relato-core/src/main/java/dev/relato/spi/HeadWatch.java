package dev.relato.spi;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the head of a store's global log from a thread of its own and fires the {@link AppendSignal} when it
 * moves, so that subscriptions learn of appends they are not told of directly: appends by other processes or
 * other store instances, and callers' transactions, which commit when the store cannot see it. Appends through
 * the store's own transactions fire the signal themselves, at once.
 *
 * <p>The poll adapts: every {@link #FAST} while the head moved within the last {@link #ACTIVE}, or since
 * {@link #hurry()} was called; when the log is quiet, the wait doubles up to the idle ceiling. The thread runs
 * only while it is {@code wanted} (typically: the store is open and has subscriptions or callers waiting for the
 * head); {@link #ensureRunning()} starts it when it is needed, and it ends by itself once it is no longer wanted.
 * A failed read of the head is logged at debug level and tried again at the idle ceiling: the subscriptions' own
 * reads report failures. Thread-safe; {@code wanted} is never called while this object's lock is held, so it may
 * take the store's own lock.
 */
public final class HeadWatch {
    private static final Logger LOG = LoggerFactory.getLogger(HeadWatch.class);
    /** The wait between reads while the log is busy. */
    public static final Duration FAST = Duration.ofMillis(10);
    /** How long after the head last moved the log counts as busy. */
    public static final Duration ACTIVE = Duration.ofSeconds(2);
    /** The longest wait between reads, whatever the subscriptions' poll interval. */
    public static final Duration MAX_IDLE = Duration.ofSeconds(1);
    /** The longest {@link #close()} waits for the thread. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final LongSupplier head;
    private final AppendSignal signal;
    private final BooleanSupplier wanted;
    private final long idleNanos;
    private final Object wake = new Object();
    private volatile long hurriedAt;
    private volatile boolean closed;
    /** Raised by every {@link #ensureRunning()}: a thread about to end checks that nobody asked meanwhile. */
    private long demand;
    private Thread thread;

    /**
     * @param name   names the thread
     * @param head   reads the head position; may throw
     * @param idle   the subscriptions' poll interval: the wait between reads never exceeds it (nor {@link #MAX_IDLE})
     * @param wanted asked before each read; false ends the thread until the next {@link #ensureRunning()}
     */
    public HeadWatch(String name, LongSupplier head, AppendSignal signal, Duration idle, BooleanSupplier wanted) {
        this.name = name;
        this.head = head;
        this.signal = signal;
        this.wanted = wanted;
        this.idleNanos = Math.max(FAST.toNanos(), Math.min(idle.toNanos(), MAX_IDLE.toNanos()));
        this.hurriedAt = System.nanoTime() - 2 * ACTIVE.toNanos();
    }

    /** Starts the thread unless it runs or this watch is closed. */
    public synchronized void ensureRunning() {
        demand++;
        if (thread == null && !closed) {
            long started = demand;
            thread = new Thread(() -> run(started), name);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Something in this process is about to commit (an append in a caller's transaction): read at the fast pace
     * from now on, so the commit is noticed within about {@link #FAST}.
     */
    public void hurry() {
        hurriedAt = System.nanoTime();
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run(long started) {
        long seen = started;
        long last = Long.MIN_VALUE;
        long lastChange = System.nanoTime();
        long wait = FAST.toNanos();
        try {
            while (true) {
                if (closed || !wanted.getAsBoolean()) {
                    synchronized (this) {
                        if (closed || demand == seen) {
                            thread = null;
                            return;
                        }
                        seen = demand; // asked for again while deciding to end: go on
                    }
                }
                long now = System.nanoTime();
                try {
                    long current = head.getAsLong();
                    if (current != last) {
                        // the first read too: a subscription may have read the log just before a commit this read
                        // is the first to see
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
            synchronized (this) {
                thread = null;
            }
        }
    }

    /** Waits {@code nanos}, or less if {@link #hurry()} or {@link #close()} is called meanwhile. */
    private void pause(long nanos) throws InterruptedException {
        long hurried = hurriedAt;
        long deadline = System.nanoTime() + nanos;
        synchronized (wake) {
            for (long left = nanos; left > 0 && hurriedAt == hurried && !closed; left = deadline - System.nanoTime()) {
                wake.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Whether the thread runs now. */
    public synchronized boolean isRunning() {
        return thread != null;
    }

    /**
     * Stops the thread for good and waits for it to end: at most the read in progress, and no longer than
     * {@link #CLOSE_WAIT} (a read waiting for a pool's connection ends by itself later; the thread is a daemon).
     * Idempotent.
     */
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            running = thread;
        }
        synchronized (wake) {
            wake.notifyAll();
        }
        if (running != null && Thread.currentThread() != running) {
            try {
                running.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
