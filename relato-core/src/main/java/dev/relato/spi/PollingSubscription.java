package dev.relato.spi;

import dev.relato.EventFilter;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.SubscriptionOptions;
import dev.relato.SubscriptionState;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription every backend can use: a thread that reads pages of the log through a {@link LogReader},
 * delivers them, and when it reaches the head waits for an {@link AppendSignal} or the poll interval,
 * whichever comes first.
 *
 * <p>Failures follow the failure model: a read that fails with {@link StoreUnavailableException} (the store's
 * allow-list of transient conditions) is retried under the options' {@link dev.relato.RetryPolicy}, with a
 * warning logged once when the outage starts and one line when it ends; past the policy's ceiling the
 * subscription stops as {@link SubscriptionState#FAILED}. Any other read failure is permanent and stops it at
 * once, as does a listener that throws. Thread-safe.
 */
public final class PollingSubscription implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(PollingSubscription.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final LogReader reader;
    private final EventFilter filter;
    private final SubscriptionListener listener;
    private final AppendSignal signal;
    private final SubscriptionOptions options;
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile long position;
    private volatile SubscriptionState state = SubscriptionState.CATCHING_UP;
    private volatile Throwable failure;

    private PollingSubscription(LogReader reader, long afterPosition, EventFilter filter, SubscriptionListener listener,
                                AppendSignal signal, SubscriptionOptions options) {
        if (afterPosition < 0) {
            throw new IllegalArgumentException("position must be 0 or more, got " + afterPosition);
        }
        this.reader = Objects.requireNonNull(reader, "reader");
        this.filter = Objects.requireNonNull(filter, "filter");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.signal = Objects.requireNonNull(signal, "signal");
        this.options = Objects.requireNonNull(options, "options");
        this.position = afterPosition;
        this.thread = new Thread(this::run, "relato-subscription-" + COUNTER.incrementAndGet());
        this.thread.setDaemon(true);
    }

    /** Starts a subscription on its own thread. */
    public static PollingSubscription start(LogReader reader, long afterPosition, EventFilter filter,
                                            SubscriptionListener listener, AppendSignal signal,
                                            SubscriptionOptions options) {
        PollingSubscription s = new PollingSubscription(reader, afterPosition, filter, listener, signal, options);
        s.thread.start();
        return s;
    }

    private boolean stopping() {
        return closing.getCount() == 0;
    }

    private void run() {
        OutageRetry retries = new OutageRetry(options.retry(), LOG, "subscription " + thread.getName());
        try {
            while (!stopping()) {
                long generation = signal.generation();
                List<RecordedEvent> page;
                try {
                    page = reader.readPage(position, filter, options.batchSize());
                } catch (StoreUnavailableException e) {
                    if (stopping()) {
                        break;
                    }
                    Optional<Duration> backoff = retries.failed(e);
                    if (backoff.isEmpty()) {
                        fail(e, "gave up after " + retries.failures() + " failed reads (retry policy "
                                + options.retry() + ")");
                        return;
                    }
                    state = SubscriptionState.RETRYING;
                    closing.await(backoff.get().toNanos(), TimeUnit.NANOSECONDS);
                    continue;
                } catch (RuntimeException e) {
                    if (stopping()) {
                        break;
                    }
                    fail(e, "a read after position " + position + " failed permanently");
                    return;
                }
                if (retries.failures() > 0) {
                    retries.succeeded();
                    state = isCaughtUp() ? SubscriptionState.LIVE : SubscriptionState.CATCHING_UP;
                }
                for (RecordedEvent event : page) {
                    if (stopping()) {
                        return;
                    }
                    listener.onEvent(event);
                    position = event.position();
                }
                if (page.size() < options.batchSize()) {
                    if (caughtUp.getCount() > 0) {
                        listener.onCaughtUp(position);
                        state = SubscriptionState.LIVE;
                        caughtUp.countDown(); // after the listener, so awaitCaughtUp implies it was told
                    }
                    signal.await(generation, options.pollInterval().toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            fail(t, "the listener failed");
        } finally {
            if (failure == null) {
                state = SubscriptionState.CLOSED;
            }
            try {
                listener.onStopped(Optional.ofNullable(failure));
            } catch (RuntimeException e) {
                LOG.warn("subscription {} listener's onStopped failed", thread.getName(), e);
            }
        }
    }

    private void fail(Throwable cause, String why) {
        failure = cause;
        state = SubscriptionState.FAILED;
        LOG.error("subscription {} stopped at position {}: {}", thread.getName(), position, why, cause);
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    @Override
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (state.isRunning()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (caughtUp.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS)) {
                return true;
            }
        }
        return caughtUp.getCount() == 0;
    }

    @Override
    public SubscriptionState state() {
        return state;
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void close() {
        closing.countDown();
        signal.fire();
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(options.closeTimeout().toMillis() + 1);
            if (thread.isAlive()) {
                LOG.warn("subscription {}: its listener did not return within {}; interrupting it",
                        thread.getName(), options.closeTimeout());
                thread.interrupt();
                thread.join(Math.min(options.closeTimeout().toMillis(), 1000) + 1);
            }
            if (thread.isAlive()) {
                LOG.warn("subscription {}: its listener ignores interrupts; leaving its thread to end on its own",
                        thread.getName());
                state = SubscriptionState.CLOSED;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
