package dev.relato.bench;

import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.RecordedEvent;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A subscriber that notes when each event reached it: a subscription from the store's head to the events of the
 * {@value #CATEGORY} streams, recording for each of the first {@code expected} events its position and the
 * {@link System#nanoTime()} of its delivery. {@code nanoTime} is Linux's monotonic clock, which every process on
 * the host shares, so deliveries in another process compare with append times in this one. The listener runs on
 * the subscription's thread; the figures are read after {@link #await}. Closing stops the subscription.
 */
final class Deliveries implements AutoCloseable {
    /** The category of the streams whose deliveries are timed. */
    static final String CATEGORY = "Latency";

    private final long[] positions;
    private final long[] nanos;
    private final CountDownLatch all;
    private final Subscription subscription;
    private int count;

    /**
     * Subscribes and waits until the subscription is live.
     *
     * @throws IllegalStateException if it does not catch up within a minute
     */
    Deliveries(EventStore store, int expected) throws InterruptedException {
        positions = new long[expected];
        nanos = new long[expected];
        all = new CountDownLatch(expected);
        subscription = store.subscribe(store.headPosition(), EventFilter.categories(CATEGORY), new SubscriptionListener() {
            @Override
            public void onEvent(RecordedEvent event) {
                long now = System.nanoTime();
                if (count < expected) {
                    positions[count] = event.position();
                    nanos[count] = now;
                    count++;
                    all.countDown();
                }
            }
        });
        if (!subscription.awaitCaughtUp(Duration.ofMinutes(1))) {
            subscription.close();
            throw new IllegalStateException("the subscription did not catch up: " + subscription.failure());
        }
    }

    /**
     * Waits until every expected event was delivered.
     *
     * @throws IllegalStateException if they were not within the timeout
     */
    void await(Duration timeout) throws InterruptedException {
        if (!all.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException((positions.length - all.getCount()) + " of " + positions.length
                    + " events delivered within " + timeout + "; subscription failure: " + subscription.failure());
        }
    }

    /** The position of the i-th event delivered. */
    long position(int i) {
        return positions[i];
    }

    /** When the i-th event was delivered, in {@link System#nanoTime()}. */
    long deliveredAt(int i) {
        return nanos[i];
    }

    int size() {
        return positions.length;
    }

    @Override
    public void close() {
        subscription.close();
    }
}
