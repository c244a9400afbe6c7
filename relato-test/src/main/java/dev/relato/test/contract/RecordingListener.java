package dev.relato.test.contract;

import dev.relato.RecordedEvent;
import dev.relato.SubscriptionListener;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A listener that records what a subscription delivers, for assertions from the test thread. Can be told
 * to fail on the n-th event.
 */
final class RecordingListener implements SubscriptionListener {
    private final List<RecordedEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger caughtUpCalls = new AtomicInteger();
    private final AtomicInteger stoppedCalls = new AtomicInteger();
    private final AtomicReference<List<RecordedEvent>> deliveredAtCatchUp = new AtomicReference<>();
    private final AtomicReference<Optional<Throwable>> stoppedWith = new AtomicReference<>();
    private final int failOnEvent;
    private final RuntimeException failure;
    private volatile long caughtUpPosition = -1;

    private RecordingListener(int failOnEvent, RuntimeException failure) {
        this.failOnEvent = failOnEvent;
        this.failure = failure;
    }

    RecordingListener() {
        this(0, null);
    }

    /** A listener that throws {@code failure} when handed its {@code n}-th event (1-based). */
    static RecordingListener failingOn(int n, RuntimeException failure) {
        return new RecordingListener(n, failure);
    }

    @Override
    public void onEvent(RecordedEvent event) {
        calls.incrementAndGet();
        if (failure != null && events.size() + 1 == failOnEvent) {
            throw failure;
        }
        events.add(event);
    }

    @Override
    public void onCaughtUp(long position) {
        caughtUpPosition = position;
        deliveredAtCatchUp.compareAndSet(null, List.copyOf(events));
        caughtUpCalls.incrementAndGet();
    }

    @Override
    public void onStopped(Optional<Throwable> failure) {
        stoppedWith.compareAndSet(null, failure);
        stoppedCalls.incrementAndGet();
    }

    List<RecordedEvent> events() {
        return List.copyOf(events);
    }

    int count() {
        return events.size();
    }

    /** Calls of {@link #onEvent}, failed ones included. */
    int calls() {
        return calls.get();
    }

    int caughtUpCalls() {
        return caughtUpCalls.get();
    }

    long caughtUpPosition() {
        return caughtUpPosition;
    }

    /** What had been delivered when catch-up ended; empty before. */
    List<RecordedEvent> deliveredAtCatchUp() {
        List<RecordedEvent> delivered = deliveredAtCatchUp.get();
        return delivered == null ? List.of() : delivered;
    }

    int stoppedCalls() {
        return stoppedCalls.get();
    }

    /** What onStopped received, if it was called. */
    Optional<Optional<Throwable>> stoppedWith() {
        return Optional.ofNullable(stoppedWith.get());
    }

    @Override
    public String toString() {
        return events.size() + " events, last position "
                + (events.isEmpty() ? "none" : events.get(events.size() - 1).position())
                + ", caught up " + caughtUpCalls + " times, stopped " + stoppedCalls + " times";
    }
}
