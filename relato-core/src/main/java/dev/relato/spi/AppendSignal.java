package dev.relato.spi;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes subscriptions when something may have been appended. A backend calls {@link #fire()} after its
 * own commits and whenever it learns of others' (LISTEN/NOTIFY, a message from the server); waiting
 * subscriptions then read. A missed signal costs at most one poll interval, never an event: readers always
 * re-read the log. Thread-safe.
 */
public final class AppendSignal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long generation;

    /** Wakes every waiter. */
    public void fire() {
        lock.lock();
        try {
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The current generation, to pass to {@link #await(long, long)}. */
    public long generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the generation moves past {@code seen} or the timeout passes.
     *
     * @return true if it was fired
     */
    public boolean await(long seen, long timeoutMillis) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (generation == seen) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
