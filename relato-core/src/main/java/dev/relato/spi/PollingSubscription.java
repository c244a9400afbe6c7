package dev.relato.spi;

import dev.relato.EventFilter;
import dev.relato.RecordedEvent;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
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
 * The subscription every backend can use: a thread that reads pages of the log through a
 * {@link LogReader}, delivers them, and when it reaches the head waits for an {@link AppendSignal} or the
 * poll interval, whichever comes first. Read failures (a dropped connection, a restarting server) are
 * logged and retried with backoff, so the subscription survives them; a listener failure stops it.
 * Thread-safe.
 */
public final class PollingSubscription implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(PollingSubscription.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /**
     * How a subscription reads.
     *
     * @param batchSize    events per page, 1 or more
     * @param pollInterval longest wait at the head without a signal
     * @param maxBackoff   longest wait between retries of a failed read
     */
    public record Settings(int batchSize, Duration pollInterval, Duration maxBackoff) {
        public static final Settings DEFAULT = new Settings(500, Duration.ofMillis(250), Duration.ofSeconds(5));

        public Settings {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be 1 or more, got " + batchSize);
            }
            if (pollInterval.isNegative() || pollInterval.isZero() || maxBackoff.toMillis() < 1) {
                throw new IllegalArgumentException("poll interval and maximum backoff must be at least 1 ms, got "
                        + pollInterval + " and " + maxBackoff);
            }
        }
    }

    private final LogReader reader;
    private final EventFilter filter;
    private final SubscriptionListener listener;
    private final AppendSignal signal;
    private final Settings settings;
    private final Thread thread;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile long position;
    private volatile boolean stopping;
    private volatile boolean running = true;
    private volatile Throwable failure;

    private PollingSubscription(LogReader reader, long afterPosition, EventFilter filter, SubscriptionListener listener,
                                AppendSignal signal, Settings settings) {
        if (afterPosition < 0) {
            throw new IllegalArgumentException("position must be 0 or more, got " + afterPosition);
        }
        this.reader = Objects.requireNonNull(reader, "reader");
        this.filter = Objects.requireNonNull(filter, "filter");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.signal = Objects.requireNonNull(signal, "signal");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.position = afterPosition;
        this.thread = new Thread(this::run, "relato-subscription-" + COUNTER.incrementAndGet());
        this.thread.setDaemon(true);
    }

    /** Starts a subscription on its own thread. */
    public static PollingSubscription start(LogReader reader, long afterPosition, EventFilter filter,
                                            SubscriptionListener listener, AppendSignal signal, Settings settings) {
        PollingSubscription s = new PollingSubscription(reader, afterPosition, filter, listener, signal, settings);
        s.thread.start();
        return s;
    }

    private void run() {
        long backoff = 50;
        try {
            while (!stopping) {
                long generation = signal.generation();
                List<RecordedEvent> page;
                try {
                    page = reader.readPage(position, filter, settings.batchSize());
                    backoff = 50;
                } catch (RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    LOG.warn("subscription read after position {} failed; retrying in {} ms: {}", position, backoff,
                            e.toString());
                    signal.await(generation, backoff);
                    backoff = Math.min(backoff * 2, settings.maxBackoff().toMillis());
                    continue;
                }
                for (RecordedEvent event : page) {
                    if (stopping) {
                        return;
                    }
                    listener.onEvent(event);
                    position = event.position();
                }
                if (page.size() < settings.batchSize()) {
                    if (caughtUp.getCount() > 0) {
                        listener.onCaughtUp(position);
                        caughtUp.countDown(); // after the listener, so awaitCaughtUp implies it was told
                    }
                    signal.await(generation, settings.pollInterval().toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            LOG.error("subscription stopped at position {}: the listener failed", position, t);
        } finally {
            running = false;
            try {
                listener.onStopped(Optional.ofNullable(failure));
            } catch (RuntimeException e) {
                LOG.warn("subscription listener's onStopped failed", e);
            }
        }
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
        while (running) {
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
    public boolean isRunning() {
        return running;
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void close() {
        stopping = true;
        signal.fire();
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
