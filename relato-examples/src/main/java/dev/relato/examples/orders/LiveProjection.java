package dev.relato.examples.orders;

import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.projection.Projection;
import dev.relato.serialization.EventSerializer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an in-memory read model up to date by following the whole log from position 0: a subscription
 * passes each event to the projection, on the subscription's thread. Nothing is persisted, so the read
 * model is rebuilt at every start. Thread-safe; {@link #close()} stops the subscription. If a handler
 * throws, the subscription stops and {@link #status()} reports the failure.
 */
final class LiveProjection<C> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveProjection.class);

    private final EventStore store;
    private final Projection<C> projection;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private final Subscription subscription;
    private volatile long position;
    private volatile boolean stopped;

    LiveProjection(EventStore store, EventSerializer serializer, Projection<C> projection, C context) {
        this.store = store;
        this.projection = projection;
        this.subscription = store.subscribe(0, projection.filter(serializer), new SubscriptionListener() {
            @Override
            public void onEvent(RecordedEvent event) throws Exception {
                projection.handle(context, event, serializer);
                advanceTo(event.position());
            }

            @Override
            public void onCaughtUp(long caughtUpPosition) {
                advanceTo(caughtUpPosition);
            }

            @Override
            public void onStopped(Optional<Throwable> failure) {
                failure.ifPresent(f -> LOG.error("projection '{}' stopped at position {}", projection.name(), position, f));
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
        return new ProjectionStatus(projection.name(), handled, Math.max(head, handled), state, failure);
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
