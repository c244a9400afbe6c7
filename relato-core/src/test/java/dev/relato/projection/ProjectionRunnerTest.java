package dev.relato.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.StreamId;
import dev.relato.memory.InMemoryEventStore;
import dev.relato.order.OrderEvent.OrderConfirmed;
import dev.relato.order.OrderEvent.OrderPlaced;
import dev.relato.order.OrderEvent;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import dev.relato.serialization.Upcaster;
import dev.relato.support.FaultyEventStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProjectionRunnerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Instant AT = Instant.parse("2024-05-01T10:00:00Z");

    /** An idempotent read model: per order, its status and the position that set it. */
    static final class OrderBook {
        final Map<String, String> status = new ConcurrentHashMap<>();
        final Map<String, Long> appliedAt = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        void apply(String orderId, String value, long position) {
            calls.incrementAndGet();
            if (appliedAt.getOrDefault(orderId, 0L) < position) {
                status.put(orderId, value);
                appliedAt.put(orderId, position);
            }
        }
    }

    /** Thrown by a handler to end the runner's thread abruptly, as a dying process would. */
    static final class Crash extends Error {
        Crash() {
            super("simulated crash");
        }
    }

    private final EventSerializer serializer = EventSerializer.builder(EventTypes.builder()
                    .registerSealed(OrderEvent.class).build())
            .upcasters(Upcaster.renaming("OrderCreated", 1, "OrderPlaced", 1, tree -> tree))
            .build();
    private final InMemoryEventStore store = InMemoryEventStore.create();
    private final InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();

    @AfterEach
    void closeStore() {
        store.close();
    }

    private Projection<OrderBook> orderBook(String name, Projection.Handler<OrderBook, OrderPlaced> onPlaced) {
        return Projection.<OrderBook>named(name)
                .on(OrderPlaced.class, onPlaced)
                .on(OrderConfirmed.class, (book, e, rec) -> book.apply(e.orderId(), "confirmed", rec.position()))
                .categories("Order")
                .build();
    }

    private Projection<OrderBook> orderBook(String name) {
        return orderBook(name, (book, e, rec) -> book.apply(e.orderId(), "placed by " + e.customer(), rec.position()));
    }

    private void placeOrders(int from, int to) {
        for (int i = from; i <= to; i++) {
            StreamId stream = StreamId.of("Order", "o-" + i);
            store.append(stream, ExpectedVersion.noStream(), List.of(serializer.serialize(
                    new OrderPlaced("o-" + i, "customer-" + i, AT))));
            if (i % 3 == 0) {
                store.append(stream, ExpectedVersion.exactly(1), List.of(serializer.serialize(new OrderConfirmed("o-" + i))));
            }
        }
    }

    private OrderBook singlePass() throws Exception {
        OrderBook book = new OrderBook();
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(orderBook("single-pass"), store, serializer)
                .context(book, new InMemoryCheckpointStore()).start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
        }
        return book;
    }

    @Test
    void catchesUpThenFollowsLiveAppendsAndReportsItsStatus() throws Exception {
        placeOrders(1, 250);
        store.append(StreamId.of("Order", "legacy"), ExpectedVersion.noStream(), List.of(new EventData(UUID.randomUUID(),
                "OrderCreated", 1, "{\"orderId\":\"legacy\",\"customer\":\"old\",\"placedAt\":\"2020-01-01T00:00:00Z\"}",
                Metadata.empty())));
        OrderBook book = new OrderBook();
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(orderBook("order-book"), store, serializer)
                .context(book, checkpoints).batchSize(40).start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
            assertThat(book.status).hasSize(251).containsEntry("o-3", "confirmed").containsEntry("o-4", "placed by customer-4")
                    .containsEntry("legacy", "placed by old");

            placeOrders(251, 260);
            assertThat(runner.awaitPosition(store.headPosition(), WAIT)).isTrue();
            assertThat(book.status).hasSize(261).containsEntry("o-255", "confirmed");

            ProjectionStatus status = runner.status();
            assertThat(status.name()).isEqualTo("order-book");
            assertThat(status.position()).isEqualTo(store.headPosition());
            assertThat(status.positionsBehind()).isZero();
            assertThat(status.lastError()).isEmpty();
            assertThat(checkpoints.load("order-book")).isEqualTo(store.headPosition());
        }
        assertThat(book.calls).hasValue(261 + 86);
    }

    @Test
    void whileBehindTheStatusTellsHowFarInPositionsAndTime() throws Exception {
        Instant recorded = Instant.parse("2024-05-01T10:00:00Z");
        try (InMemoryEventStore clocked = InMemoryEventStore.builder().clock(Clock.fixed(recorded, ZoneOffset.UTC))
                .build()) {
            for (int i = 1; i <= 5; i++) {
                clocked.append(StreamId.of("Order", "o-" + i), ExpectedVersion.noStream(),
                        List.of(serializer.serialize(new OrderPlaced("o-" + i, "c", AT))));
            }
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Projection<OrderBook> slow = orderBook("slow", (model, e, rec) -> {
                if (e.orderId().equals("o-3")) {
                    entered.countDown();
                    release.await();
                }
                model.apply(e.orderId(), "placed", rec.position());
            });
            try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(slow, clocked, serializer)
                    .context(new OrderBook(), checkpoints).batchSize(2)
                    .clock(Clock.fixed(recorded.plus(Duration.ofMinutes(7)), ZoneOffset.UTC)).start()) {
                assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
                ProjectionStatus behind = runner.status();
                assertThat(behind.state()).isEqualTo(ProjectionState.CATCHING_UP);
                assertThat(behind.position()).isEqualTo(2);
                assertThat(behind.headPosition()).isEqualTo(5);
                assertThat(behind.positionsBehind()).isEqualTo(3);
                assertThat(behind.timeBehind()).isEqualTo(Duration.ofMinutes(7));
                assertThat(behind.isCaughtUp()).isFalse();

                release.countDown();
                assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
                ProjectionStatus caughtUp = runner.status();
                assertThat(caughtUp.state()).isEqualTo(ProjectionState.CAUGHT_UP);
                assertThat(caughtUp.positionsBehind()).isZero();
                assertThat(caughtUp.timeBehind()).isZero();
            }
        }
    }

    @Test
    void aRunnerKilledMidBatchRestartsFromItsCheckpointAndEndsWithTheSameReadModel() throws Exception {
        placeOrders(1, 120);
        OrderBook expected = singlePass();

        OrderBook book = new OrderBook();
        AtomicInteger untilCrash = new AtomicInteger(77);
        Projection<OrderBook> crashing = orderBook("killed", (model, e, rec) -> {
            if (untilCrash.decrementAndGet() == 0) {
                throw new Crash();
            }
            model.apply(e.orderId(), "placed by " + e.customer(), rec.position());
        });
        ProjectionRunner.Builder<OrderBook> builder = ProjectionRunner.builder(crashing, store, serializer)
                .context(book, checkpoints).batchSize(25);
        try (ProjectionRunner<OrderBook> first = builder.start()) {
            assertThat(first.awaitCaughtUp(WAIT)).isFalse();
            assertThat(first.status().state()).isEqualTo(ProjectionState.FAILED);
            assertThat(first.status().lastError()).hasValueSatisfying(error -> assertThat(error).contains("simulated crash"));
            assertThat(checkpoints.load("killed")).isPositive().isLessThan(store.headPosition());
        }
        try (ProjectionRunner<OrderBook> second = builder.start()) {
            assertThat(second.awaitCaughtUp(WAIT)).isTrue();
        }
        assertThat(book.status).isEqualTo(expected.status);
        assertThat(book.appliedAt).isEqualTo(expected.appliedAt);
    }

    @Test
    void anEventThatKeepsFailingStopsTheRunnerJustBeforeIt() throws Exception {
        placeOrders(1, 10);
        long failingAt = store.read(StreamId.of("Order", "o-6")).get(0).position();
        OrderBook book = new OrderBook();
        AtomicInteger attempts = new AtomicInteger();
        Projection<OrderBook> projection = orderBook("stopping", (model, e, rec) -> {
            if (e.orderId().equals("o-6")) {
                attempts.incrementAndGet();
                throw new IllegalStateException("no room for o-6");
            }
            model.apply(e.orderId(), "placed", rec.position());
        });
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(projection, store, serializer)
                .context(book, checkpoints)
                .failurePolicy(FailurePolicy.retry(3, Duration.ofMillis(5)).thenStop())
                .start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isFalse();
            ProjectionStatus status = runner.status();
            assertThat(status.state()).isEqualTo(ProjectionState.FAILED);
            assertThat(status.lastError()).hasValueSatisfying(error -> assertThat(error).contains("no room for o-6"));
            assertThat(status.position()).isLessThan(failingAt);
        }
        assertThat(attempts).hasValue(3);
        assertThat(checkpoints.load("stopping")).isLessThan(failingAt)
                .isEqualTo(store.read(StreamId.of("Order", "o-5")).get(0).position());
        assertThat(book.status).containsOnlyKeys("o-1", "o-2", "o-3", "o-4", "o-5");
    }

    @Test
    void newEventsDoNotCutTheBackoffBeforeARetryShort() throws Exception {
        placeOrders(1, 1);
        OrderBook book = new OrderBook();
        InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch firstFailure = new CountDownLatch(1);
        Projection<OrderBook> projection = orderBook("patient", (model, e, rec) -> {
            if (e.orderId().equals("o-2")) {
                attempts.incrementAndGet();
                firstFailure.countDown();
                throw new IllegalStateException("o-2 cannot be handled yet");
            }
            model.apply(e.orderId(), "placed", rec.position());
        });
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(projection, store, serializer)
                .context(book, checkpoints)
                .failurePolicy(FailurePolicy.retry(2, Duration.ofHours(1)).thenSkip())
                .deadLetters(deadLetters)
                .start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue(); // now following live appends

            placeOrders(2, 2);
            assertThat(firstFailure.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            placeOrders(4, 5); // appended during the hour-long backoff before the second attempt
            long last = store.headPosition();

            assertThat(runner.awaitPosition(last, Duration.ofSeconds(3))).isFalse();
            assertThat(runner.status().state()).isEqualTo(ProjectionState.RETRYING);
        }
        assertThat(attempts).hasValue(1);
        assertThat(deadLetters.list("patient")).isEmpty();
        assertThat(book.status).containsOnlyKeys("o-1");
    }

    @Test
    void aHandlerResettingItsOwnRunnerIsRefusedInsteadOfWaitingForItself() throws Exception {
        placeOrders(1, 2);
        OrderBook book = new OrderBook();
        AtomicReference<ProjectionRunner<OrderBook>> self = new AtomicReference<>();
        AtomicReference<Throwable> refused = new AtomicReference<>();
        CountDownLatch known = new CountDownLatch(1);
        Projection<OrderBook> projection = orderBook("self-reset", (model, e, rec) -> {
            known.await();
            if (e.orderId().equals("o-1") && refused.get() == null) {
                try {
                    self.get().resetTo(0);
                } catch (IllegalStateException expected) {
                    refused.set(expected);
                }
            }
            model.apply(e.orderId(), "placed", rec.position());
        });
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(projection, store, serializer)
                .context(book, checkpoints).start()) {
            self.set(runner);
            known.countDown();
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
        }
        assertThat(refused.get()).isInstanceOf(IllegalStateException.class);
        assertThat(book.status).containsOnlyKeys("o-1", "o-2");
    }

    @Test
    void anEventThatKeepsFailingIsSkippedAsADeadLetterAndCanBeReplayed() throws Exception {
        placeOrders(1, 10);
        OrderBook book = new OrderBook();
        InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        Projection<OrderBook> projection = orderBook("skipping", (model, e, rec) -> {
            if (e.orderId().equals("o-4") && failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("o-4 is not welcome yet");
            }
            model.apply(e.orderId(), "placed", rec.position());
        });
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(projection, store, serializer)
                .context(book, checkpoints)
                .failurePolicy(FailurePolicy.retry(2, Duration.ofMillis(5)).thenSkip())
                .deadLetters(deadLetters)
                .start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
            assertThat(book.status).hasSize(9).doesNotContainKey("o-4");
            List<DeadLetter> letters = runner.deadLetters();
            assertThat(letters).singleElement().satisfies(letter -> {
                assertThat(letter.projection()).isEqualTo("skipping");
                assertThat(letter.streamId()).isEqualTo(StreamId.of("Order", "o-4"));
                assertThat(letter.type()).isEqualTo("OrderPlaced");
                assertThat(letter.attempts()).isEqualTo(2);
                assertThat(letter.error()).contains("o-4 is not welcome yet");
                assertThat(letter.stackTrace()).contains("ProjectionRunnerTest");
            });

            assertThat(runner.replay(letters.get(0))).isTrue();
            assertThat(book.status).hasSize(10).containsEntry("o-4", "placed");
            assertThat(deadLetters.list("skipping")).isEmpty();
        }
    }

    @Test
    void aReplayThatFailsAgainKeepsTheDeadLetter() throws Exception {
        placeOrders(1, 3);
        InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
        Projection<OrderBook> projection = orderBook("always-failing", (model, e, rec) -> {
            throw new IllegalArgumentException("broken handler");
        });
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(projection, store, serializer)
                .context(new OrderBook(), checkpoints)
                .failurePolicy(FailurePolicy.retry(1, Duration.ZERO).thenSkip())
                .deadLetters(deadLetters)
                .start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
            assertThat(runner.deadLetters()).hasSize(3);
            assertThat(runner.replayAll()).isZero();
            assertThat(runner.deadLetters()).hasSize(3).allSatisfy(letter -> assertThat(letter.attempts()).isEqualTo(2));
        }
    }

    @Test
    void resetMovesTheCheckpointAndTheRunnerGoesOnFromThere() throws Exception {
        placeOrders(1, 30);
        OrderBook book = new OrderBook();
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(orderBook("resettable"), store, serializer)
                .context(book, checkpoints).start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
            int calls = book.calls.get();

            runner.resetTo(0);
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
            assertThat(book.calls).hasValue(2 * calls);
            assertThat(checkpoints.load("resettable")).isEqualTo(store.headPosition());
        }
    }

    @Test
    void aResetWhileStoppedTakesEffectWhenANewRunnerStarts() throws Exception {
        placeOrders(1, 5);
        OrderBook book = new OrderBook();
        ProjectionRunner.Builder<OrderBook> builder = ProjectionRunner.builder(orderBook("offline"), store, serializer)
                .context(book, checkpoints);
        ProjectionRunner<OrderBook> runner = builder.start();
        assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
        runner.close();
        assertThat(runner.status().state()).isEqualTo(ProjectionState.STOPPED);

        runner.resetTo(0);
        assertThat(checkpoints.load("offline")).isZero();
        try (ProjectionRunner<OrderBook> again = builder.start()) {
            assertThat(again.awaitCaughtUp(WAIT)).isTrue();
        }
        assertThat(book.calls).hasValue(2 * 6);
    }

    @Test
    void aNewVersionIsBuiltBesideTheLiveOneThenActivated() throws Exception {
        placeOrders(1, 20);
        ProjectionVersions versions = new ProjectionVersions(checkpoints);
        OrderBook v1 = new OrderBook();
        OrderBook v2 = new OrderBook();
        try (ProjectionRunner<OrderBook> live = ProjectionRunner.builder(
                orderBook(ProjectionVersions.versionedName("order-book", 1)), store, serializer).context(v1, checkpoints)
                .start()) {
            assertThat(live.awaitCaughtUp(WAIT)).isTrue();
            versions.activate("order-book", 1);

            try (ProjectionRunner<OrderBook> rebuild = ProjectionRunner.builder(
                    orderBook(ProjectionVersions.versionedName("order-book", 2)), store, serializer)
                    .context(v2, checkpoints).start()) {
                placeOrders(21, 25);
                assertThat(rebuild.awaitCaughtUp(WAIT)).isTrue();
                assertThat(versions.live("order-book")).hasValue(1);
                versions.activate("order-book", 2);
            }
            assertThat(live.awaitCaughtUp(WAIT)).isTrue();
        }
        assertThat(versions.live("order-book")).hasValue(2);
        assertThat(versions.live("other")).isEmpty();
        assertThat(v2.status).isEqualTo(v1.status).hasSize(25);
        assertThat(checkpoints.load("order-book@v2")).isEqualTo(store.headPosition());
    }

    @Test
    void partitionsWithLeasesShareTheWorkAndACrashedNodeIsTakenOver() throws Exception {
        placeOrders(1, 60);
        OrderBook expected = singlePass();
        OrderBook book = new OrderBook();
        InMemoryProjectionLeases.Table table = InMemoryProjectionLeases.table(Clock.systemUTC());
        AtomicInteger untilCrash = new AtomicInteger(5);
        Projection<OrderBook> crashing = orderBook("partitioned", (model, e, rec) -> {
            if (untilCrash.decrementAndGet() == 0) {
                throw new Crash();
            }
            model.apply(e.orderId(), "placed by " + e.customer(), rec.position());
        });
        List<ProjectionDaemon> nodes = new java.util.ArrayList<>();
        try {
            nodes.add(ProjectionDaemon.builder().addPartitioned(ProjectionRunner.builder(crashing, store, serializer)
                    .context(book, checkpoints).leases(table.node("node-a"), Duration.ofMillis(300)).batchSize(7), 2)
                    .start());
            for (String node : List.of("node-b", "node-c")) {
                nodes.add(ProjectionDaemon.builder().addPartitioned(ProjectionRunner.builder(orderBook("partitioned"),
                        store, serializer).context(book, checkpoints).leases(table.node(node), Duration.ofMillis(300))
                        .batchSize(7), 2).start());
            }
            long head = store.headPosition();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!everyPartitionReached(nodes, head) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(everyPartitionReached(nodes, head)).isTrue();
        } finally {
            nodes.forEach(ProjectionDaemon::close);
        }
        assertThat(book.status).isEqualTo(expected.status);
        assertThat(nodes.get(0).statuses()).anyMatch(status -> status.state() == ProjectionState.FAILED);
    }

    private static boolean everyPartitionReached(List<ProjectionDaemon> nodes, long position) {
        return nodes.stream().flatMap(node -> node.statuses().stream()).filter(status -> status.position() >= position)
                .map(ProjectionStatus::name).distinct().count() == 2;
    }

    @Test
    void catchUpRunsOnTheCallingThreadUntilEveryStoredEventIsHandled() {
        placeOrders(1, 30);
        OrderBook book = new OrderBook();
        ProjectionRunner.Builder<OrderBook> builder = ProjectionRunner.builder(orderBook("batch"), store, serializer)
                .context(book, checkpoints).batchSize(7);

        ProjectionStatus status = builder.catchUp();
        assertThat(status.state()).isEqualTo(ProjectionState.STOPPED);
        assertThat(status.position()).isEqualTo(store.headPosition());
        assertThat(book.status).hasSize(30);

        placeOrders(31, 32);
        assertThat(builder.catchUp().position()).isEqualTo(store.headPosition());
        assertThat(book.calls).hasValue(32 + 10);
        assertThatThrownBy(() -> builder.leases(InMemoryProjectionLeases.table(Clock.systemUTC()).node("n"),
                Duration.ofSeconds(1)).catchUp()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aDaemonStartsReportsAndClosesItsRunners() throws Exception {
        placeOrders(1, 12);
        OrderBook whole = new OrderBook();
        OrderBook shared = new OrderBook();
        try (ProjectionDaemon daemon = ProjectionDaemon.builder()
                .add(ProjectionRunner.builder(orderBook("whole"), store, serializer).context(whole, checkpoints))
                .addPartitioned(ProjectionRunner.builder(orderBook("shared"), store, serializer)
                        .context(shared, checkpoints), 3)
                .start()) {
            assertThat(daemon.awaitCaughtUp(WAIT)).isTrue();
            assertThat(daemon.statuses()).extracting(ProjectionStatus::name)
                    .containsExactly("whole", "shared#0/3", "shared#1/3", "shared#2/3");
            assertThat(daemon.statuses()).allMatch(ProjectionStatus::isCaughtUp);
            assertThat(shared.status).isEqualTo(whole.status).hasSize(12);
        }
        OrderBook twice = new OrderBook();
        assertThatThrownBy(() -> ProjectionDaemon.builder()
                .add(ProjectionRunner.builder(orderBook("twice"), store, serializer).context(twice, checkpoints))
                .addPartitioned(ProjectionRunner.builder(orderBook("twice"), store, serializer)
                        .context(twice, checkpoints), 1)
                .start()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same name");
        assertThat(twice.calls).as("no runner starts before the names are checked").hasValue(0);
    }

    @Test
    void handlersAreToldWhichEventsAreLiveInARunnerAndNoneInARebuild() throws Exception {
        placeOrders(1, 4);
        Map<String, Boolean> live = new ConcurrentHashMap<>();
        Projection<OrderBook> watching = Projection.<OrderBook>named("watching")
                .on(OrderPlaced.class, (book, e, rec, isLive) -> live.put(e.orderId(), isLive))
                .build();
        try (ProjectionRunner<OrderBook> runner = ProjectionRunner.builder(watching, store, serializer)
                .context(new OrderBook(), checkpoints).batchSize(3).start()) {
            assertThat(runner.awaitCaughtUp(WAIT)).isTrue();
            placeOrders(5, 6);
            assertThat(runner.awaitPosition(store.headPosition(), WAIT)).isTrue();
        }
        assertThat(live).containsOnly(Map.entry("o-1", false), Map.entry("o-2", false), Map.entry("o-3", false),
                Map.entry("o-4", false), Map.entry("o-5", true), Map.entry("o-6", true));

        live.clear();
        ProjectionRunner.builder(watching, store, serializer).context(new OrderBook(), new InMemoryCheckpointStore())
                .catchUp();
        assertThat(live).hasSize(6).doesNotContainValue(true);
    }

    @Test
    void liveAppendsWakeRunnersWithoutASubscriptionAndEachPartitionReadsTheLogOnce() throws Exception {
        FaultyEventStore counting = new FaultyEventStore(store);
        placeOrders(1, 30);
        OrderBook book = new OrderBook();
        try (ProjectionDaemon daemon = ProjectionDaemon.builder().addPartitioned(ProjectionRunner
                .builder(orderBook("woken"), counting, serializer).context(book, checkpoints)
                .pollInterval(Duration.ofHours(1)), 3).start()) {
            assertThat(daemon.awaitCaughtUp(WAIT)).isTrue();
            placeOrders(31, 36);
            assertThat(daemon.awaitCaughtUp(WAIT)).as("live appends wake runners that poll once an hour").isTrue();
        }
        assertThat(book.status).hasSize(36);
        assertThat(counting.subscriptions()).isZero();
        assertThat(counting.eventsRead()).as("events read by 3 partitions").isEqualTo(3 * store.headPosition());
    }

    @Test
    void aLeaseIsHeldByOneNodeUntilItExpiresOrIsReleasedAndOnlyItsHolderResets() throws Exception {
        MutableClock clock = new MutableClock(AT);
        InMemoryProjectionLeases.Table table = InMemoryProjectionLeases.table(clock);
        InMemoryProjectionLeases a = table.node("a");
        InMemoryProjectionLeases b = table.node("b");
        assertThat(a.acquire("p", Duration.ofSeconds(10))).isTrue();
        assertThat(b.acquire("p", Duration.ofSeconds(10))).isFalse();
        assertThat(b.owner("p")).contains("a");
        clock.advance(Duration.ofSeconds(10));
        assertThat(a.owner("p")).isEmpty();
        assertThat(b.acquire("p", Duration.ofSeconds(10))).isTrue();
        assertThat(a.acquire("p", Duration.ofSeconds(10))).isFalse();
        a.release("p");
        assertThat(a.owner("p")).contains("b");
        b.release("p");
        assertThat(a.acquire("p", Duration.ofSeconds(10))).isTrue();

        placeOrders(1, 3);
        try (ProjectionRunner<OrderBook> standby = ProjectionRunner.builder(orderBook("p"), store, serializer)
                .context(new OrderBook(), checkpoints).leases(b, Duration.ofSeconds(10)).start()) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (standby.status().state() != ProjectionState.STANDBY && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(standby.status().state()).isEqualTo(ProjectionState.STANDBY);
            assertThat(standby.status().position()).isZero();
            assertThatThrownBy(() -> standby.resetTo(0)).isInstanceOf(ProjectionOwnershipException.class);
        }
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void settingsAreCheckedWhenStarting() {
        ProjectionRunner.Builder<OrderBook> builder = ProjectionRunner.builder(orderBook("checked"), store, serializer);
        assertThatThrownBy(builder::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("transactions");
        builder.context(new OrderBook(), checkpoints).failurePolicy(FailurePolicy.DEFAULT.thenSkip());
        assertThatThrownBy(builder::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("deadLetters");
        assertThatThrownBy(() -> new Partition(2, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FailurePolicy.retry(0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
