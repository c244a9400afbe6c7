package dev.relato.spi;

import dev.relato.internal.Timeouts;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Wakes subscriptions when something may have been appended. A backend calls {@link #fire()} after its
 * own commits and whenever it learns of others' (a message from the server, a change of the head seen by a
 * poll); waiting subscriptions then read. A missed signal costs at most one poll interval, never an event:
 * readers always re-read the log. Firing with nobody waiting costs two atomic operations and no lock, so
 * appends may fire on every commit. Thread-safe.
 */
public final class AppendSignal {
    private final AtomicLong generation = new AtomicLong();
    private final AtomicInteger waiters = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /** Wakes every waiter. */
    public void fire() {
        generation.incrementAndGet();
        if (waiters.get() > 0) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The current generation, to pass to {@link #await(long, long)}. */
    public long generation() {
        return generation.get();
    }

    /**
     * Waits until the generation moves past {@code seen} or the timeout passes.
     *
     * @return true if it was fired
     */
    public boolean await(long seen, long timeoutMillis) throws InterruptedException {
        return awaitNanos(seen, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    }

    /**
     * The body of a store's {@link dev.relato.EventStore#awaitHead}: reads {@code head} until it is past
     * {@code afterPosition} or the timeout passes, reading it again each time this signal fires and at least
     * every {@code recheck} (for appends nobody fires it for, such as another process').
     *
     * @return the head read last
     */
    public long awaitHead(long afterPosition, Duration timeout, Duration recheck, LongSupplier head)
            throws InterruptedException {
        Timeouts.checkInterrupt();
        long deadline = System.nanoTime() + Timeouts.nanos(timeout);
        long recheckNanos = Math.max(1, Timeouts.nanos(recheck));
        while (true) {
            long seen = generation();
            long position = head.getAsLong();
            long left = deadline - System.nanoTime();
            if (position > afterPosition || left <= 0) {
                return position;
            }
            awaitNanos(seen, Math.min(left, recheckNanos));
        }
    }

    private boolean awaitNanos(long seen, long timeoutNanos) throws InterruptedException {
        long nanos = timeoutNanos;
        waiters.incrementAndGet();
        lock.lock();
        try {
            // The waiter count rises before the generation is read, and fire() moves the generation before it
            // reads the count: either the waiter sees the new generation or the firer sees the waiter.
            while (generation.get() == seen) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
            waiters.decrementAndGet();
        }
    }
}
