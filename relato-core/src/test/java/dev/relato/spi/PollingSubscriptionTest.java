package dev.relato.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.RecordedEvent;
import dev.relato.RetryPolicy;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.SubscriptionListener;
import dev.relato.SubscriptionOptions;
import dev.relato.SubscriptionState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PollingSubscriptionTest {
    private static final SubscriptionOptions FAST = SubscriptionOptions.DEFAULT.withPollInterval(Duration.ofMillis(5))
            .withRetry(new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMinutes(1)))
            .withCloseTimeout(Duration.ofMillis(200));

    private final AppendSignal signal = new AppendSignal();
    private final List<RecordedEvent> delivered = new CopyOnWriteArrayList<>();
    private final AtomicReference<Optional<Throwable>> stopped = new AtomicReference<>();
    private final SubscriptionListener listener = new SubscriptionListener() {
        @Override
        public void onEvent(RecordedEvent event) {
            delivered.add(event);
        }

        @Override
        public void onStopped(Optional<Throwable> failure) {
            stopped.set(failure);
        }
    };

    private static RecordedEvent event(long position) {
        return RecordedEvent.of(EventData.of("E", "{}"), StreamId.of("S", "1"), position, position, Instant.EPOCH);
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(2);
        }
    }

    @Test
    void transientFailuresAreRetriedAndTheSubscriptionRecovers() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        LogReader flaky = (after, filter, max) -> {
            int n = reads.incrementAndGet();
            if (n <= 3) {
                throw new StoreUnavailableException("down for a moment", null);
            }
            return after == 0 ? List.of(event(1)) : List.of();
        };
        try (PollingSubscription s = PollingSubscription.start(flaky, 0, EventFilter.all(), listener, signal, FAST)) {
            assertThat(s.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(s.state()).isEqualTo(SubscriptionState.LIVE);
            assertThat(delivered).extracting(RecordedEvent::position).containsExactly(1L);
        }
    }

    @Test
    void transientFailuresPastTheCeilingStopTheSubscriptionAsFailed() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        StoreUnavailableException down = new StoreUnavailableException("down for good", null);
        LogReader dead = (after, filter, max) -> {
            reads.incrementAndGet();
            throw down;
        };
        PollingSubscription s = PollingSubscription.start(dead, 0, EventFilter.all(), listener, signal, FAST);
        await("the subscription gave up", () -> s.state() == SubscriptionState.FAILED);
        assertThat(reads.get()).isEqualTo(4);
        assertThat(s.failure()).containsSame(down);
        assertThat(s.isRunning()).isFalse();
        await("the listener was told", () -> stopped.get() != null);
        assertThat(stopped.get()).containsSame(down);
        s.close();
        assertThat(s.state()).isEqualTo(SubscriptionState.FAILED);
    }

    @Test
    void aPermanentReadFailureStopsTheSubscriptionAtOnce() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        IllegalStateException broken = new IllegalStateException("a row cannot be decoded");
        LogReader permanent = (after, filter, max) -> {
            reads.incrementAndGet();
            throw broken;
        };
        PollingSubscription s = PollingSubscription.start(permanent, 0, EventFilter.all(), listener, signal, FAST);
        await("the subscription stopped", () -> !s.isRunning());
        assertThat(reads.get()).isEqualTo(1);
        assertThat(s.state()).isEqualTo(SubscriptionState.FAILED);
        assertThat(s.failure()).containsSame(broken);
    }

    @Test
    void newAppendsDoNotCutTheBackoffShort() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        SubscriptionOptions slowRetry = FAST.withRetry(new RetryPolicy(2, Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofMinutes(1)));
        LogReader failingOnce = (after, filter, max) -> {
            if (reads.incrementAndGet() == 1) {
                throw new StoreUnavailableException("down", null);
            }
            return List.of();
        };
        try (PollingSubscription s = PollingSubscription.start(failingOnce, 0, EventFilter.all(), listener, signal,
                slowRetry)) {
            await("the subscription is retrying", () -> s.state() == SubscriptionState.RETRYING);
            for (int i = 0; i < 50; i++) {
                signal.fire();
            }
            Thread.sleep(100);
            assertThat(reads.get()).as("reads while backing off").isEqualTo(1);
        }
    }

    @Test
    void closeReturnsWithinItsTimeoutWhenTheListenerBlocks() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        SubscriptionListener blocking = event -> {
            entered.countDown();
            while (never.getCount() > 0) {
                try {
                    never.await();
                } catch (InterruptedException ignored) {
                    // a listener that ignores interrupts
                }
            }
        };
        LogReader one = (after, filter, max) -> after == 0 ? List.of(event(1)) : List.of();
        PollingSubscription s = PollingSubscription.start(one, 0, EventFilter.all(), blocking, signal, FAST);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        s.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(s.state()).isEqualTo(SubscriptionState.CLOSED);
        never.countDown();
    }
}
