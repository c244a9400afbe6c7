package dev.relato.process;

import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.Metadata;
import dev.relato.RecordedEvent;
import dev.relato.RelatoException;
import dev.relato.RetryPolicy;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.aggregate.AggregateNotFoundException;
import dev.relato.command.Command;
import dev.relato.command.CommandBus;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;
import dev.relato.spi.RetryState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ProcessManager}: takes each input to its instance, records the decision as a step in the
 * instance's own stream ({@code <name>-<instance>}), then carries out its effects: deadlines scheduled or
 * cancelled in the {@link DeadlineStore}, commands sent through the {@link CommandBus}.
 *
 * <pre>{@code
 * ProcessEngine<Fulfilment> engine = ProcessEngine.builder(fulfilment, store, serializer, bus, store.deadlines())
 *         .clock(clock).build();
 * ProjectionRunner<ProcessEngine<Fulfilment>> runner = engine.runner(store.checkpoints())
 *         .leases(store.leases(node), Duration.ofSeconds(10)).start();   // events: on the projection runtime
 * engine.fireDueDeadlines();                                            // on a schedule of your choice
 * }</pre>
 *
 * <p><b>Events</b> reach the engine through a {@link ProjectionRunner} ({@link #runner}): checkpoints, failure
 * policies, dead letters, partitions and leases over several nodes are the runtime's.
 *
 * <p><b>Effects are at least once and idempotent in effect.</b> A step's event id derives from its input's id
 * (the event's id, the deadline and its due time, or the rejected command's id), and the id of the n-th command
 * of a step from the step's id. An input handled again (the runner repeats a batch after a crash between "step
 * recorded" and "checkpoint saved", a deadline fired on two nodes) finds its step already recorded: the engine
 * decides again on the state before it, which gives the same reaction, and carries out its effects again, which
 * the command bus recognises as repeats ({@link dev.relato.command.Receipt#repeated()}) and the deadline store as
 * the same deadlines. So no step's outcome is lost or applied twice. A crash between two commands of one step
 * leaves the step recorded; the repeat sends the missing command.
 *
 * <p><b>Deadlines</b> fire once their due time has passed by the engine's {@link Clock}:
 * {@link #fireDueDeadlines()} hands each due deadline of this process to its instance as {@link DeadlineFired},
 * then removes it. A deadline due while every node was down fires at the next call after restart. A deadline that
 * fires for an instance that has finished, never started, or has cancelled or moved it meanwhile is dropped with
 * a debug log. With several nodes each may fire the same deadline; its step is recorded once, so its effect is
 * applied once.
 *
 * <p><b>Rejections.</b> A command rejected by the domain (any exception that is not a store failure, the aggregate
 * it updates missing, or the one it creates existing) comes back to the same instance as {@link CommandRejected}, so
 * the manager can compensate; the commands its step would have sent after the rejected one are not sent (the manager
 * knows which were: those before it). A store failure propagates, and so does a command that other writers overtook
 * on every attempt of the bus ({@link WrongExpectedVersionException} with an expected version the aggregate had):
 * the runner's failure policy retries the event, and a fired deadline stays due and fires again.
 *
 * <p>Thread-safe: the runner's thread and a deadline thread may use one engine; concurrent steps of one instance
 * are ordered by the stream's expected version and retried.
 *
 * @param <S> the process state
 */
public final class ProcessEngine<S> {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessEngine.class);
    private static final RetryPolicy CONCURRENT_STEPS = new RetryPolicy(10, Duration.ofMillis(2),
            Duration.ofMillis(200), Duration.ofSeconds(10));
    private static final int DUE_BATCH = 100;

    private final ProcessManager<S> manager;
    private final EventStore store;
    private final EventSerializer serializer;
    private final CommandBus bus;
    private final DeadlineStore deadlines;
    private final Clock clock;
    private final ProcessSteps<S> steps;

    private ProcessEngine(Builder<S> builder) {
        this.manager = builder.manager;
        this.store = builder.store;
        this.serializer = builder.serializer;
        this.bus = builder.bus;
        this.deadlines = builder.deadlines;
        this.clock = builder.clock;
        this.steps = new ProcessSteps<>(serializer.codec(), manager.stateClass());
    }

    public static <S> Builder<S> builder(ProcessManager<S> manager, EventStore store, EventSerializer serializer,
                                         CommandBus bus, DeadlineStore deadlines) {
        return new Builder<>(manager, store, serializer, bus, deadlines);
    }

    public ProcessManager<S> manager() {
        return manager;
    }

    /** The projection that feeds this engine the events its manager follows; its context is the engine. */
    public Projection<ProcessEngine<S>> projection() {
        Projection.Builder<ProcessEngine<S>> projection = Projection.named(manager.name());
        for (Class<?> type : manager.eventClasses()) {
            projection.on(type, (Projection.Handler<ProcessEngine<S>, Object>) (engine, event, record) ->
                    engine.handle(event, record));
        }
        return projection.build();
    }

    /**
     * A runner of {@link #projection()} with its checkpoint in {@code checkpoints}; configure failure policy, dead
     * letters, partitions and leases on it, then start it.
     */
    public ProjectionRunner.Builder<ProcessEngine<S>> runner(CheckpointStore checkpoints) {
        return ProjectionRunner.builder(projection(), store, serializer).context(this, checkpoints);
    }

    /**
     * Hands {@code event} (stored as {@code record}) to its instance.
     *
     * @return whether an instance reacted (false if the event is not followed or its instance is not running)
     */
    public boolean handle(Object event, RecordedEvent record) {
        Optional<String> instance = manager.instanceOf(event);
        if (instance.isEmpty()) {
            return false;
        }
        Metadata cause = Metadata.empty().withCorrelationId(record.metadata().correlationId()
                .orElse(record.eventId().toString())).withCausationId(record.eventId().toString());
        return step(instance.get(), event, record.eventId(), record.recordedAt(), manager.starts(event), cause);
    }

    /**
     * Fires every deadline of this process due by the clock: each goes to its instance as {@link DeadlineFired}
     * and is removed once its step is recorded.
     *
     * @return the number of deadlines fired (dropped ones included)
     */
    public int fireDueDeadlines() {
        int fired = 0;
        while (true) {
            List<Deadline> due = deadlines.due(manager.name(), clock.instant(), DUE_BATCH);
            for (Deadline deadline : due) {
                UUID inputId = Command.derivedId(deadline.id(), "fired/" + deadline.due());
                step(deadline.instance(), new DeadlineFired(deadline.name(), deadline.due()), inputId, deadline.due(),
                        false, Metadata.empty().withCorrelationId(inputId.toString()));
                deadlines.remove(deadline);
                fired++;
            }
            if (due.size() < DUE_BATCH) {
                return fired;
            }
        }
    }

    /** The state of instance {@code instance}, or empty if it never started. */
    public Optional<S> state(String instance) {
        List<ProcessSteps.Step<S>> history = steps.read(store.read(manager.stream(instance)));
        return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1).state());
    }

    /** Whether instance {@code instance} has finished. */
    public boolean finished(String instance) {
        List<ProcessSteps.Step<S>> history = steps.read(store.read(manager.stream(instance)));
        return !history.isEmpty() && history.get(history.size() - 1).finished();
    }

    private boolean step(String instance, Object input, UUID inputId, Instant time, boolean starts, Metadata cause) {
        StreamId stream = manager.stream(instance);
        UUID stepId = Command.derivedId(inputId, "step/" + manager.name());
        RetryState retries = new RetryState(CONCURRENT_STEPS);
        while (true) {
            List<RecordedEvent> records = store.read(stream);
            List<ProcessSteps.Step<S>> history = steps.read(records);
            Map<String, Instant> latestPending = history.isEmpty() ? Map.of()
                    : history.get(history.size() - 1).pending();
            for (int i = 0; i < history.size(); i++) {
                if (history.get(i).id().equals(stepId)) {
                    S before = i == 0 ? manager.initialState() : history.get(i - 1).state();
                    Map<String, Instant> pendingBefore = i == 0 ? Map.of() : history.get(i - 1).pending();
                    LOG.debug("{}: step for {} already recorded; carrying out its effects again", stream, input);
                    carryOut(instance, input, manager.react(before, input), stepId, pendingBefore, latestPending, time,
                            cause, true);
                    return true;
                }
            }
            if (history.isEmpty() && !starts) {
                LOG.debug("{}: not started; {} ignored", stream, describe(input));
                return false;
            }
            ProcessSteps.Step<S> last = history.isEmpty() ? null : history.get(history.size() - 1);
            if (last != null && last.finished()) {
                LOG.debug("{}: finished; {} dropped", stream, describe(input));
                return false;
            }
            if (input instanceof DeadlineFired fired && !fired.due().equals(latestPending.get(fired.name()))) {
                LOG.debug("{}: deadline '{}' due {} was cancelled or moved; dropped", stream, fired.name(), fired.due());
                return false;
            }
            S state = last == null ? manager.initialState() : last.state();
            Reaction<S> reaction = manager.react(state, input);
            Map<String, Instant> pending = pendingAfter(latestPending, input, reaction, time);
            List<String> commandNames = new ArrayList<>();
            for (int i = 0; i < reaction.commands().size(); i++) {
                commandNames.add(reaction.commands().get(i).getClass().getSimpleName() + " " + commandId(stepId, i));
            }
            try {
                store.append(stream, ExpectedVersion.exactly(records.size()), List.of(steps.write(stepId, input,
                        inputId, reaction.state(), pending, commandNames, reaction.finished(), cause)));
            } catch (WrongExpectedVersionException e) {
                Optional<Duration> backoff = retries.failed();
                if (backoff.isEmpty()) {
                    throw e;
                }
                RetryState.pause(backoff.get(), e);
                continue;
            }
            carryOut(instance, input, reaction, stepId, latestPending, pending, time, cause, false);
            return true;
        }
    }

    private Map<String, Instant> pendingAfter(Map<String, Instant> before, Object input, Reaction<S> reaction,
                                              Instant time) {
        if (reaction.finished()) {
            return Map.of();
        }
        Map<String, Instant> pending = new LinkedHashMap<>(before);
        if (input instanceof DeadlineFired fired) {
            pending.remove(fired.name());
        }
        reaction.cancelled().forEach(pending::remove);
        reaction.scheduled().forEach((name, after) -> pending.put(name,
                Deadline.of(manager.name(), "-", name, time.plus(after)).due()));
        return pending;
    }

    /**
     * Carries out a step's effects. {@code pendingNow} is what the instance's latest step keeps pending: a step
     * carried out again neither schedules a deadline the instance no longer waits for nor cancels one a later
     * step scheduled again. A deadline that is the step's input is left to {@link #fireDueDeadlines()}, which
     * removes it once every effect is carried out: until then it stays due, so a crash before the step's last
     * command makes it fire again, and the repeat sends what is missing.
     */
    private void carryOut(String instance, Object input, Reaction<S> reaction, UUID stepId,
                          Map<String, Instant> pendingBefore, Map<String, Instant> pendingNow, Instant time,
                          Metadata cause, boolean again) {
        Set<String> dropped = new HashSet<>(reaction.cancelled());
        if (!again || reaction.finished()) {
            dropped.addAll(pendingBefore.keySet());
        }
        dropped.removeAll(pendingNow.keySet());
        if (input instanceof DeadlineFired fired) {
            dropped.remove(fired.name());
        }
        for (String name : dropped) {
            deadlines.cancel(Deadline.idOf(manager.name(), instance, name));
        }
        reaction.scheduled().forEach((name, after) -> {
            Instant due = Deadline.of(manager.name(), instance, name, time.plus(after)).due();
            if (due.equals(pendingNow.get(name))) {
                deadlines.schedule(Deadline.of(manager.name(), instance, name, due));
            }
        });
        for (int i = 0; i < reaction.commands().size(); i++) {
            Object command = reaction.commands().get(i);
            UUID commandId = commandId(stepId, i);
            try {
                bus.send(new Command<>(commandId, command, cause.withCausationId(stepId.toString())));
            } catch (RuntimeException e) {
                if (!isRejection(e)) {
                    throw e;
                }
                LOG.debug("{}-{}: {} rejected: {}", manager.name(), instance, command, e.toString());
                step(instance, new CommandRejected(command, e), Command.derivedId(commandId, "rejected"), time, false,
                        cause.withCausationId(commandId.toString()));
                return;
            }
        }
    }

    private static UUID commandId(UUID stepId, int index) {
        return Command.derivedId(stepId, "command/" + index);
    }

    /**
     * A rejection is the domain's: anything but a failure of Relato or the store, and the aggregate a command
     * updates missing or one it creates existing. Other writers overtaking the command on every attempt of the
     * bus is a conflict, not a refusal: it fails the input, which is handled again.
     */
    private static boolean isRejection(RuntimeException e) {
        if (e instanceof WrongExpectedVersionException conflict) {
            return conflict.expected() == ExpectedVersion.noStream() && conflict.actualVersion() > 0;
        }
        return !(e instanceof RelatoException) || e instanceof AggregateNotFoundException;
    }

    private static String describe(Object input) {
        return input.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "ProcessEngine[" + manager.name() + " on " + store + "]";
    }

    /** Configures a {@link ProcessEngine}. Not thread-safe: use it from one thread, then {@link #build()}. */
    public static final class Builder<S> {
        private final ProcessManager<S> manager;
        private final EventStore store;
        private final EventSerializer serializer;
        private final CommandBus bus;
        private final DeadlineStore deadlines;
        private Clock clock = Clock.systemUTC();

        private Builder(ProcessManager<S> manager, EventStore store, EventSerializer serializer, CommandBus bus,
                        DeadlineStore deadlines) {
            this.manager = Objects.requireNonNull(manager, "process manager must not be null");
            this.store = Objects.requireNonNull(store, "store must not be null");
            this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
            this.bus = Objects.requireNonNull(bus, "command bus must not be null");
            this.deadlines = Objects.requireNonNull(deadlines, "deadline store must not be null");
        }

        /** The clock deadlines fire by; default the system clock (UTC). Tests move a clock of their own. */
        public Builder<S> clock(Clock source) {
            this.clock = Objects.requireNonNull(source, "clock must not be null");
            return this;
        }

        public ProcessEngine<S> build() {
            return new ProcessEngine<>(this);
        }
    }
}
