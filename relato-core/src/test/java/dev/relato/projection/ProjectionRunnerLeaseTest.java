package dev.relato.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.memory.InMemoryEventStore;
import dev.relato.projection.ProjectionRunnerTest.MutableClock;
import dev.relato.projection.ProjectionRunnerTest.OrderBook;
import dev.relato.serialization.EventSerializer;
import dev.relato.support.Eventually;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every batch commit of a runner under leases is fenced against a lost lease, at least once as well as in one
 * transaction, and a batch that would outlive its lease renews it (at least once) or is cut short (in one
 * transaction).
 */
class ProjectionRunnerLeaseTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Instant AT = PlacedOrders.AT;
    private static final Duration SLOW_EVENT = Duration.ofMillis(100);
    /** Events of one batch that takes longer than {@link #LEASE}. */
    private static final int EVENTS = 15;
    /** Long enough for one event and a stalled thread, shorter than a batch. */
    private static final Duration LEASE = SLOW_EVENT.multipliedBy(12);

    private final EventSerializer serializer = PlacedOrders.SERIALIZER;
    private final InMemoryEventStore store = InMemoryEventStore.create();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();

    @AfterEach
    void closeStore() {
        store.close();
    }

    /**
     * Transactions that apply a batch to the read model only if its work returns: the handlers write to a staging
     * model, merged with the checkpoint's save at commit.
     */
    private final class Staged implements ProjectionTransactions<OrderBook> {
        private final OrderBook model;

        Staged(OrderBook model) {
            this.model = model;
        }

        @Override
        public long checkpoint(String name) {
            return checkpoints.load(name);
        }

        @Override
        public synchronized void commit(String name, long expected, long next, Work<OrderBook> work) throws Exception {
            if (checkpoints.load(name) != expected) {
                throw new ProjectionOwnershipException("checkpoint moved");
            }
            OrderBook staging = new OrderBook();
            work.run(staging);
            merge(staging);
            checkpoints.save(name, next);
        }

        @Override
        public synchronized void run(Work<OrderBook> work) throws Exception {
            OrderBook staging = new OrderBook();
            work.run(staging);
            merge(staging);
        }

        private void merge(OrderBook staging) {
            staging.status.forEach((id, status) -> model.apply(id, status, staging.appliedAt.get(id)));
        }
    }

    private void placeOrders(int count) {
        PlacedOrders.place(store, count);
    }


    private static Projection<OrderBook> slow(String name, AtomicInteger calls) {
        return PlacedOrders.projection(name, (book, e, rec) -> {
            calls.incrementAndGet();
            Thread.sleep(SLOW_EVENT.toMillis()); // handling that takes its time, so that a batch outlives the lease
            book.apply(e.orderId(), "placed", rec.position());
        });
    }


    /** Tries to take the lease as another node until the runner has handled everything; true if it ever got it. */
    private boolean otherNodeGotTheLease(ProjectionRunner<?> runner, InMemoryProjectionLeases other)
            throws InterruptedException {
        long head = store.headPosition();
        while (!runner.awaitPosition(head, Duration.ofMillis(10))) {
            assertThat(runner.status().state().isTerminal()).as("runner ended: " + runner.status()).isFalse();
            if (other.acquire(runner.name(), Duration.ofMinutes(1))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void atLeastOnceABatchWhoseLeaseWasTakenMeanwhileSavesNoCheckpoint() throws Exception {
        placeOrders(3);
        MutableClock clock = new MutableClock(AT);
        InMemoryProjectionLeases.Table table = InMemoryProjectionLeases.table(clock);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Projection<OrderBook> paused = PlacedOrders.projection("paused", (book, e, rec) -> {
            entered.countDown();
            release.await();
            book.apply(e.orderId(), "placed", rec.position());
        });
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(paused, store, serializer)
                .context(new OrderBook(), checkpoints).leases(table.node("a"), Duration.ofSeconds(30)).start()) {
            assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            clock.advance(Duration.ofSeconds(31)); // node a paused past its lease
            assertThat(table.node("b").acquire("paused", Duration.ofMinutes(5))).isTrue();
            release.countDown();

            Eventually.until("the runner stands by", () -> runner.status().state() == ProjectionState.STANDBY);
            assertThat(checkpoints.load("paused")).as("checkpoint of a batch handled without the lease").isZero();
        }
    }

    @Test
    void atLeastOnceABatchLongerThanTheLeaseRenewsItBetweenEvents() throws Exception {
        placeOrders(EVENTS);
        InMemoryProjectionLeases.Table table = InMemoryProjectionLeases.table(Clock.systemUTC());
        OrderBook book = new OrderBook();
        AtomicInteger calls = new AtomicInteger();
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(slow("renewing", calls), store, serializer)
                .context(book, checkpoints).batchSize(EVENTS).leases(table.node("a"), LEASE).start()) {
            assertThat(otherNodeGotTheLease(runner, table.node("b"))).isFalse();
        }
        assertThat(book.status).hasSize(EVENTS);
        assertThat(calls).as("one batch, each event handled once").hasValue(EVENTS);
    }

    @Test
    void inOneTransactionABatchLongerThanTheLeaseIsCutShortAndTriedAgain() throws Exception {
        placeOrders(EVENTS);
        InMemoryProjectionLeases.Table table = InMemoryProjectionLeases.table(Clock.systemUTC());
        OrderBook book = new OrderBook();
        AtomicInteger calls = new AtomicInteger();
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(slow("cut-short", calls), store, serializer)
                .transactions(new Staged(book)).batchSize(EVENTS).leases(table.node("a"), LEASE)
                .start()) {
            assertThat(otherNodeGotTheLease(runner, table.node("b"))).isFalse();
        }
        assertThat(book.status).hasSize(EVENTS);
        assertThat(book.calls).as("each event committed once").hasValue(EVENTS);
        assertThat(calls).as("events of the batches cut short were handled again").hasValueGreaterThan(EVENTS);
        assertThat(checkpoints.load("cut-short")).isEqualTo(store.headPosition());
    }

    @Test
    void inOneTransactionABatchWhoseLeaseRanOutIsRolledBack() throws Exception {
        placeOrders(3);
        InMemoryProjectionLeases.Table table = InMemoryProjectionLeases.table(Clock.systemUTC());
        InMemoryProjectionLeases other = table.node("b");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Projection<OrderBook> paused = PlacedOrders.projection("ran-out", (book, e, rec) -> {
            entered.countDown();
            release.await();
            book.apply(e.orderId(), "placed", rec.position());
        });
        OrderBook book = new OrderBook();
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(paused, store, serializer)
                .transactions(new Staged(book)).leases(table.node("a"), Duration.ofMillis(60)).start()) {
            assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            Eventually.until("the lease expired and another node took it",
                    () -> other.acquire("ran-out", Duration.ofMinutes(5)));
            release.countDown();

            Eventually.until("the runner stands by", () -> runner.status().state() == ProjectionState.STANDBY);
            assertThat(checkpoints.load("ran-out")).isZero();
            assertThat(book.status).isEmpty();
        }
    }
}
