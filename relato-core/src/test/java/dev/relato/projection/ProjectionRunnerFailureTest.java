package dev.relato.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.RetryPolicy;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.order.OrderEvent.OrderPlaced;
import dev.relato.projection.ProjectionRunnerTest.OrderBook;
import dev.relato.serialization.EventSerializer;
import dev.relato.support.Eventually;
import dev.relato.support.FaultyEventStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a runner meets failures: transient store failures back off up to a ceiling, permanent ones fail it at once,
 * handler and decoding failures go through the failure policy, an interrupt is never swallowed, and close returns
 * even when a handler blocks.
 */
class ProjectionRunnerFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Instant AT = PlacedOrders.AT;
    private static final RetryPolicy QUICK = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(1),
            Duration.ofMillis(5), Duration.ofMinutes(1));

    private final EventSerializer serializer = PlacedOrders.SERIALIZER;
    private final InMemoryEventStore memory = InMemoryEventStore.create();
    private final FaultyEventStore store = new FaultyEventStore(memory);
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();

    @AfterEach
    void closeStore() {
        memory.close();
    }

    private void placeOrders(int count) {
        PlacedOrders.place(memory, count);
    }




    @Test
    void aStoreThatIsUnavailableForAWhileIsRetriedAndTheRunnerCatchesUp() throws Exception {
        placeOrders(5);
        store.failReads(4, () -> new StoreUnavailableException("store restarting", null));
        OrderBook book = new OrderBook();
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(PlacedOrders.projection("patient"), store, serializer)
                .context(book, checkpoints).storeRetry(QUICK).start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
            assertThat(runner.status().lastError()).isEmpty();
        }
        assertThat(book.status).hasSize(5);
        assertThat(store.globalReads()).isGreaterThan(4);
    }

    @Test
    void aStoreThatStaysUnavailablePastTheRetryCeilingFailsTheRunner() throws Exception {
        placeOrders(2);
        store.failReads(Integer.MAX_VALUE, () -> new StoreUnavailableException("store down for good", null));
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(PlacedOrders.projection("giving-up"), store, serializer)
                .context(new OrderBook(), checkpoints).storeRetry(QUICK.withMaxAttempts(4)).start()) {
            Eventually.until("the runner failed", () -> runner.status().state() == ProjectionState.FAILED);
            assertThat(runner.status().lastError()).hasValueSatisfying(error ->
                    assertThat(error).contains("StoreUnavailableException", "store down for good"));
        }
        assertThat(store.globalReads()).isEqualTo(4);
    }

    @Test
    void aPermanentStoreFailureFailsTheRunnerAtOnce() throws Exception {
        placeOrders(2);
        store.failReads(Integer.MAX_VALUE, () -> new StoreFailureException("permission denied", null));
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(PlacedOrders.projection("permanent"), store, serializer)
                .context(new OrderBook(), checkpoints).storeRetry(QUICK).start()) {
            Eventually.until("the runner failed", () -> runner.status().state() == ProjectionState.FAILED);
            assertThat(runner.status().lastError()).hasValueSatisfying(error -> assertThat(error).contains("permission denied"));
        }
        assertThat(store.globalReads()).isEqualTo(1);
    }

    @Test
    void aCheckpointStoreThatFailsPermanentlyFailsTheRunnerInsteadOfSkippingEvents() throws Exception {
        placeOrders(3);
        AtomicInteger handled = new AtomicInteger();
        CheckpointStore broken = new CheckpointStore() {
            @Override
            public long load(String consumer) {
                return 0;
            }

            @Override
            public void save(String consumer, long position) {
                throw new StoreFailureException("checkpoint table is gone", null);
            }

            @Override
            public void delete(String consumer) {
            }
        };
        InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(PlacedOrders.projection("broken-checkpoints", (book, e, rec) ->
                        handled.incrementAndGet()), store, serializer)
                .context(new OrderBook(), broken)
                .failurePolicy(FailurePolicy.retry(3, Duration.ofMillis(1)).thenSkip()).deadLetters(deadLetters)
                .start()) {
            Eventually.until("the runner failed", () -> runner.status().state() == ProjectionState.FAILED);
            assertThat(runner.status().lastError()).hasValueSatisfying(error ->
                    assertThat(error).contains("checkpoint table is gone"));
        }
        assertThat(deadLetters.list("broken-checkpoints")).isEmpty();
        assertThat(handled).hasValue(3);
    }

    @Test
    void anEventThatCannotBeDecodedGoesThroughTheFailurePolicy() throws Exception {
        placeOrders(1);
        memory.append(StreamId.of("Order", "garbled"), ExpectedVersion.noStream(), List.of(new EventData(
                UUID.randomUUID(), "OrderPlaced", 1, "{\"orderId\":{\"not\":\"a string\"}}", Metadata.empty())));
        memory.append(StreamId.of("Order", "o-2"), ExpectedVersion.noStream(),
                List.of(serializer.serialize(new OrderPlaced("o-2", "c", AT))));
        OrderBook book = new OrderBook();
        InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(PlacedOrders.projection("decoding"), store, serializer)
                .context(book, checkpoints).failurePolicy(FailurePolicy.retry(2, Duration.ofMillis(1)).thenSkip())
                .deadLetters(deadLetters).start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
        }
        assertThat(book.status).containsOnlyKeys("o-1", "o-2");
        assertThat(deadLetters.list("decoding")).singleElement().satisfies(letter -> {
            assertThat(letter.streamId()).isEqualTo(StreamId.of("Order", "garbled"));
            assertThat(letter.error()).contains("EventDecodingException");
            assertThat(letter.attempts()).isEqualTo(2);
        });
    }

    @Test
    void anInterruptedCatchUpStopsAndKeepsTheInterruptFlag() throws Exception {
        placeOrders(3);
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean blocked = new AtomicBoolean();
        Projection<OrderBook> blocking = PlacedOrders.projection("interruptible", (book, e, rec) -> {
            if (blocked.compareAndSet(false, true)) {
                entered.countDown();
                new CountDownLatch(1).await(); // until interrupted
            }
            book.apply(e.orderId(), "placed", rec.position());
        });
        ProjectionRunner.Builder<OrderBook> builder = ProjectionRunner.builder(blocking, store, serializer)
                .context(new OrderBook(), checkpoints);
        AtomicReference<ProjectionStatus> status = new AtomicReference<>();
        AtomicBoolean flagAfterwards = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            status.set(builder.catchUp());
            flagAfterwards.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(WAIT.toMillis());

        assertThat(caller.isAlive()).isFalse();
        assertThat(flagAfterwards).isTrue();
        assertThat(status.get().state()).isEqualTo(ProjectionState.FAILED);
        assertThat(status.get().lastError()).hasValueSatisfying(error -> assertThat(error).contains("Interrupted"));
        assertThat(checkpoints.load("interruptible")).isZero();
    }

    @Test
    void closeReturnsWhenAHandlerBlocksAndIgnoresInterruptsAndTheBlockedBatchNeverCommits() throws Exception {
        placeOrders(2);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Projection<OrderBook> stubborn = PlacedOrders.projection("stubborn", (book, e, rec) -> {
            entered.countDown();
            while (true) {
                try {
                    release.await();
                    return;
                } catch (InterruptedException ignored) {
                    // a handler that ignores interrupts
                }
            }
        });
        ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(stubborn, store, serializer)
                .context(new OrderBook(), checkpoints).closeTimeout(Duration.ofMillis(50)).start();
        try {
            assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            CompletableFuture.runAsync(runner::close).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(runner.status().state()).isEqualTo(ProjectionState.STOPPED);
        } finally {
            release.countDown();
        }
        Thread left = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("relato-projection-stubborn")).findFirst().orElse(null);
        if (left != null) {
            left.join(WAIT.toMillis());
        }
        assertThat(checkpoints.load("stubborn")).as("the abandoned batch committed nothing").isZero();
    }
}
