package dev.relato.examples.orders;

import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one projection asynchronously: a subscription from a start position passes each matching event
 * to a step (which updates the read model and, for a durable read model, saves the checkpoint with it),
 * on the subscription's own thread, and lets command handlers wait until a position is reflected.
 * Thread-safe; {@link #close()} stops the subscription. If a step throws, the subscription stops and
 * {@link #status()} reports the failure.
 */
final class ProjectionFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectionFollower.class);

    private final EventStore store;
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private final Subscription subscription;
    private volatile long position;
    private volatile boolean stopped;

    /** Handles one event of the projection. */
    @FunctionalInterface
    interface Step {
        void handle(RecordedEvent event) throws Exception;
    }

    ProjectionFollower(EventStore store, String name, EventFilter filter, long afterPosition, Step step) {
        this.store = store;
        this.name = name;
        this.position = afterPosition;
        this.subscription = store.subscribe(afterPosition, filter, new SubscriptionListener() {
            @Override
            public void onEvent(RecordedEvent event) throws Exception {
                step.handle(event);
                advanceTo(event.position());
            }

            @Override
            public void onCaughtUp(long caughtUpPosition) {
                advanceTo(caughtUpPosition);
            }

            @Override
            public void onStopped(Optional<Throwable> failure) {
                failure.ifPresent(f -> LOG.error("projection '{}' stopped after position {}", name, position, f));
                lock.lock();
                try {
                    stopped = true;
                    advanced.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        });
    }

    /** Waits until the projection has handled every event up to {@code target}; false on timeout or stop. */
    boolean awaitPosition(long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (position < target) {
                long left = deadline - System.nanoTime();
                if (stopped || left <= 0) {
                    return false;
                }
                advanced.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    ProjectionStatus status() {
        long head = store.headPosition();
        Optional<String> failure = subscription.failure().map(f -> String.valueOf(f.getMessage()));
        String state = failure.isPresent() ? "failed" : !subscription.isRunning() ? "stopped"
                : subscription.isCaughtUp() ? "live" : "catching-up";
        long handled = Math.max(position, subscription.position());
        return new ProjectionStatus(name, handled, Math.max(head, handled), state, failure);
    }

    private void advanceTo(long newPosition) {
        lock.lock();
        try {
            if (newPosition > position) {
                position = newPosition;
                advanced.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
