package dev.relato.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.RecordedEvent;
import dev.relato.StoreFailureException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.command.CommandBus;
import dev.relato.process.Deadline;
import dev.relato.process.DeadlineStore;
import dev.relato.process.ProcessEngine;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.FailurePolicy;
import dev.relato.projection.InMemoryCheckpointStore;
import dev.relato.projection.ProjectionState;
import dev.relato.projection.ProjectionStatus;
import dev.relato.test.contract.ShopWorkflow.Confirm;
import dev.relato.test.contract.ShopWorkflow.Fulfilment;
import dev.relato.test.contract.ShopWorkflow.Pay;
import dev.relato.test.contract.ShopWorkflow.Release;
import dev.relato.test.contract.ShopWorkflow.Reserve;
import dev.relato.test.contract.ShopWorkflow.Restock;
import dev.relato.test.fixture.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What process managers and deadlines promise on every store, as a JUnit 5 suite: a workflow across three
 * aggregates (order, stock, shipment) runs on the projection runtime; an unpaid order is cancelled when its
 * deadline passes by the clock; a rejected command is compensated; a deadline due while the process was down
 * fires once after restart; a crash between any two steps and a repeated input never repeat nor lose an effect;
 * a deadline fired on two nodes takes effect once. A backend extends it with {@link #createStore()} and
 * {@link #deadlines(EventStore)}; each test gets a new, empty store. Time is a {@link TestClock}: nothing sleeps.
 */
public abstract class ProcessManagerContract extends OnFreshStore {
    private final TestClock clock = TestClock.at(Instant.now());
    private final CheckpointStore checkpoints = new InMemoryCheckpointStore();

    /** For the subclass of a store module. */
    protected ProcessManagerContract() {
    }

    /** The store's deadline store (durable beside its events). */
    protected abstract DeadlineStore deadlines(EventStore store);

    private ProcessEngine<Fulfilment> engine(CommandBus bus) {
        return engine(bus, deadlines(store()));
    }

    private ProcessEngine<Fulfilment> engine(CommandBus bus, DeadlineStore deadlineStore) {
        return ProcessEngine.builder(ShopWorkflow.FULFILMENT, store(), ShopWorkflow.SERIALIZER, bus, deadlineStore)
                .clock(clock).build();
    }

    private ProjectionStatus catchUp(ProcessEngine<Fulfilment> engine) {
        return engine.runner(checkpoints).failurePolicy(FailurePolicy.retry(1, Duration.ZERO)).catchUp();
    }

    private List<String> types(String category, String id) {
        return store().read(StreamId.of(category, id)).stream().map(RecordedEvent::type).toList();
    }

    /** Order {@code order} of one item in stock confirmed, handled, and its payment deadline past by the clock. */
    private void confirmedAndOverdue(String order) {
        bus().send(new Restock("sku-1", 1));
        bus().send(new Confirm(order, "sku-1"));
        catchUp(engine(bus()));
        clock.advance(Duration.ofDays(1));
    }

    private CommandBus bus() {
        return ShopWorkflow.bus(store()).build();
    }

    @Test
    void anOrderConfirmedPaidAndShippedAcrossThreeAggregates() {
        CommandBus bus = bus();
        ProcessEngine<Fulfilment> engine = engine(bus);
        bus.send(new Restock("sku-1", 1));
        bus.send(new Confirm("o-1", "sku-1"));

        assertThat(catchUp(engine).state()).isEqualTo(ProjectionState.STOPPED);
        assertThat(types("Stock", "sku-1")).containsExactly("Restocked", "Reserved");
        assertThat(engine.state("o-1").map(Fulfilment::stage)).contains("AWAITING_PAYMENT");
        assertThat(deadlines(store()).find(Deadline.idOf("Fulfilment", "o-1", "payment")).map(Deadline::due))
                .contains(store().read(StreamId.of("Order", "o-1")).get(0).recordedAt()
                        .plus(ShopWorkflow.PAYMENT_TIMEOUT).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));

        bus.send(new Pay("o-1"));
        catchUp(engine);
        catchUp(engine);

        assertThat(types("Shipment", "o-1")).containsExactly("Shipped");
        assertThat(engine.finished("o-1")).isTrue();
        assertThat(deadlines(store()).find(Deadline.idOf("Fulfilment", "o-1", "payment"))).as("cancelled when paid")
                .isEmpty();
        clock.advance(Duration.ofHours(1));
        assertThat(engine.fireDueDeadlines()).isZero();
        assertThat(types("Order", "o-1")).containsExactly("Confirmed", "Paid");
    }

    @Test
    void anUnpaidOrderIsCancelledOnceItsDeadlinePassesByTheClock() {
        CommandBus bus = bus();
        ProcessEngine<Fulfilment> engine = engine(bus);
        bus.send(new Restock("sku-1", 1));
        bus.send(new Confirm("o-2", "sku-1"));
        catchUp(engine);
        clock.advance(ShopWorkflow.PAYMENT_TIMEOUT.minusMinutes(1));

        assertThat(engine.fireDueDeadlines()).as("not yet due").isZero();
        clock.advance(Duration.ofMinutes(2));
        assertThat(engine.fireDueDeadlines()).isEqualTo(1);
        assertThat(engine.fireDueDeadlines()).as("fires once").isZero();

        assertThat(types("Order", "o-2")).containsExactly("Confirmed", "Cancelled");
        assertThat(types("Stock", "sku-1")).containsExactly("Restocked", "Reserved", "Released");
        assertThat(engine.finished("o-2")).isTrue();
    }

    @Test
    void aRejectedCommandIsAnInputTheManagerCompensates() {
        CommandBus bus = bus();
        ProcessEngine<Fulfilment> engine = engine(bus);
        bus.send(new Confirm("o-3", "sku-none"));

        catchUp(engine);

        assertThat(types("Order", "o-3")).containsExactly("Confirmed", "Cancelled");
        assertThat(store().read(StreamId.of("Order", "o-3")).get(1).payload()).contains("out of stock");
        assertThat(store().exists(StreamId.of("Stock", "sku-none"))).isFalse();
        assertThat(deadlines(store()).find(Deadline.idOf("Fulfilment", "o-3", "payment"))).isEmpty();
        assertThat(engine.state("o-3").map(Fulfilment::stage)).contains("CANCELLED");
    }

    @Test
    void aDeadlineDueWhileTheProcessWasDownFiresOnceAfterRestart() {
        confirmedAndOverdue("o-4");
        ProcessEngine<Fulfilment> restarted = engine(bus());
        assertThat(restarted.fireDueDeadlines()).isEqualTo(1);
        assertThat(engine(bus()).fireDueDeadlines()).isZero();

        assertThat(types("Order", "o-4")).containsExactly("Confirmed", "Cancelled");
        assertThat(types("Stock", "sku-1")).containsExactly("Restocked", "Reserved", "Released");
    }

    @Test
    void aCrashBetweenAnyTwoStepsNeitherRepeatsNorLosesAnEffect() {
        bus().send(new Restock("sku-1", 5));
        bus().send(new Confirm("o-5", "sku-1"));
        bus().send(new Pay("o-5"));
        for (int crashAt = 0; crashAt < 2; crashAt++) {
            AtomicInteger sent = new AtomicInteger();
            int limit = crashAt;
            CommandBus crashing = ShopWorkflow.bus(store()).middleware((command, next) -> {
                if (sent.getAndIncrement() == limit) {
                    throw new StoreFailureException("the process died before sending " + command.body(), null);
                }
                return next.proceed(command);
            }).build();
            ProjectionStatus status = catchUp(engine(crashing));
            assertThat(status.state()).as("crash before command %d", crashAt).isEqualTo(ProjectionState.FAILED);
        }
        checkpoints.save("Fulfilment", 0);
        assertThat(catchUp(engine(bus())).state()).isEqualTo(ProjectionState.STOPPED);
        checkpoints.save("Fulfilment", 0);
        assertThat(catchUp(engine(bus())).state()).as("every input handled again").isEqualTo(ProjectionState.STOPPED);

        assertThat(types("Stock", "sku-1")).containsExactly("Restocked", "Reserved");
        assertThat(types("Shipment", "o-5")).containsExactly("Shipped");
        assertThat(types("Fulfilment", "o-5")).hasSize(3);
        assertThat(engine(bus()).finished("o-5")).isTrue();
    }

    @Test
    void aCrashWhileAFiredDeadlineSendsItsCommandsIsRepairedWhenItFiresAgain() {
        confirmedAndOverdue("o-8");
        CommandBus dying = ShopWorkflow.bus(store()).middleware((command, next) -> {
            throw new StoreFailureException("the process died before sending " + command.body(), null);
        }).build();

        assertThatThrownBy(() -> engine(dying).fireDueDeadlines()).isInstanceOf(StoreFailureException.class);
        assertThat(types("Fulfilment", "o-8")).as("the deadline's step is recorded").hasSize(2);
        assertThat(engine(bus()).fireDueDeadlines()).as("still due: fired again").isEqualTo(1);
        assertThat(engine(bus()).fireDueDeadlines()).isZero();

        assertThat(types("Order", "o-8")).containsExactly("Confirmed", "Cancelled");
        assertThat(types("Stock", "sku-1")).containsExactly("Restocked", "Reserved", "Released");
    }

    @Test
    void aCommandOvertakenByOtherWritersUntilTheBusGaveUpIsSentAgainNotCompensated() {
        bus().send(new Restock("sku-1", 1));
        bus().send(new Confirm("o-10", "sku-1"));

        ProjectionStatus status = catchUp(engine(overtaking(Reserve.class)));
        assertThat(status.state()).as("a store conflict is a failure of the event").isEqualTo(ProjectionState.FAILED);
        assertThat(types("Order", "o-10")).as("not compensated as a refusal").containsExactly("Confirmed");
        checkpoints.save("Fulfilment", 0);
        assertThat(catchUp(engine(bus())).state()).isEqualTo(ProjectionState.STOPPED);

        assertThat(types("Stock", "sku-1")).containsExactly("Restocked", "Reserved");
        assertThat(engine(bus()).state("o-10").map(Fulfilment::stage)).contains("AWAITING_PAYMENT");
    }

    @Test
    void aFiredDeadlineWhoseCommandWasOvertakenUntilTheBusGaveUpStaysDueAndFiresAgain() {
        confirmedAndOverdue("o-11");

        assertThatThrownBy(() -> engine(overtaking(Release.class)).fireDueDeadlines())
                .isInstanceOf(WrongExpectedVersionException.class);
        assertThat(engine(bus()).fireDueDeadlines()).as("still due: fired again").isEqualTo(1);
        assertThat(engine(bus()).fireDueDeadlines()).isZero();

        assertThat(types("Order", "o-11")).containsExactly("Confirmed", "Cancelled");
        assertThat(types("Stock", "sku-1")).containsExactly("Restocked", "Reserved", "Released");
    }

    @Test
    void aDeadlineFiredOnTwoNodesTakesEffectOnce() {
        confirmedAndOverdue("o-6");
        DeadlineStore shared = deadlines(store());
        Deadline due = shared.due("Fulfilment", clock.instant(), 10).get(0);
        DeadlineStore neverRemoving = new NeverRemoving(shared);

        assertThat(engine(bus(), neverRemoving).fireDueDeadlines()).isEqualTo(1);
        assertThat(shared.find(due.id())).as("the first node died before removing it").contains(due);
        assertThat(engine(bus()).fireDueDeadlines()).isEqualTo(1);

        assertThat(types("Order", "o-6")).containsExactly("Confirmed", "Cancelled");
        assertThat(types("Stock", "sku-1")).containsExactly("Restocked", "Reserved", "Released");
        assertThat(shared.find(due.id())).isEmpty();
    }

    @Test
    void aDeadlineOfAFinishedProcessIsDropped() {
        bus().send(new Restock("sku-1", 1));
        bus().send(new Confirm("o-7", "sku-1"));
        catchUp(engine(bus()));
        DeadlineStore shared = deadlines(store());
        Deadline payment = shared.find(Deadline.idOf("Fulfilment", "o-7", "payment")).orElseThrow();
        bus().send(new Pay("o-7"));
        catchUp(engine(bus()));
        catchUp(engine(bus()));
        shared.schedule(payment);

        clock.advance(Duration.ofDays(1));
        assertThat(engine(bus()).fireDueDeadlines()).isEqualTo(1);

        assertThat(types("Order", "o-7")).containsExactly("Confirmed", "Paid");
        assertThat(shared.find(payment.id())).isEmpty();
    }

    /**
     * A bus on which every command of type {@code overtaken} meets another writer's append to its aggregate on each of
     * the bus's attempts: it fails as the bus fails once its retries are spent.
     */
    private CommandBus overtaking(Class<?> overtaken) {
        return ShopWorkflow.bus(store()).middleware((command, next) -> {
            if (overtaken.isInstance(command.body())) {
                throw new WrongExpectedVersionException(StreamId.of("Stock", "sku-1"), ExpectedVersion.exactly(1), 2);
            }
            return next.proceed(command);
        }).build();
    }

    /** A deadline store of a node that dies after a deadline's step is recorded, before it removes the deadline. */
    private static final class NeverRemoving extends ForwardingDeadlineStore {
        NeverRemoving(DeadlineStore delegate) {
            super(delegate);
        }

        @Override
        public boolean cancel(UUID id) {
            return false;
        }

        @Override
        public boolean remove(Deadline deadline) {
            return false;
        }
    }
}
