package dev.relato.projection;

import dev.relato.EventDecodingException;
import dev.relato.EventStore;
import dev.relato.RetryPolicy;
import dev.relato.StoreFailureException;
import dev.relato.StoreUnavailableException;
import dev.relato.serialization.EventSerializer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Projection} asynchronously on a thread of its own: it loads the projection's checkpoint,
 * catches up through the global log in batches, then follows new events as they are appended, saving the
 * checkpoint with each batch through its {@link ProjectionTransactions}.
 *
 * <pre>{@code
 * // read model in memory (or anywhere): at-least-once, handlers idempotent
 * ProjectionRunner<OrderList> runner = ProjectionRunner.builder(orderList, store, serializer)
 *         .context(new OrderList(), checkpoints)
 *         .failurePolicy(FailurePolicy.retry(5, Duration.ofMillis(200)).thenSkip())
 *         .deadLetters(deadLetters)
 *         .start();
 * runner.status();   // name, state, position, head, lag, last error
 * runner.close();
 * }</pre>
 *
 * <p><b>Batches.</b> Each batch is up to {@link Builder#batchSize(int)} events of the projection's
 * {@linkplain Projection#filter filter}, read with one {@link EventStore#readAll} page after the checkpoint,
 * handled with {@link Projection#handle} (which decodes through the {@link EventSerializer} and its
 * upcasters) and committed with the checkpoint moved to the batch's last position. With transactional
 * {@link ProjectionTransactions} (PostgreSQL, SQLite) the read model and checkpoint change together, so a
 * runner killed at any point loses and repeats nothing; with {@link ProjectionTransactions#atLeastOnce} a
 * killed runner hands the uncommitted batch to the handlers again.
 *
 * <p>{@link Builder#catchUp()} runs the same loop on the calling thread until caught up, for tests and batch
 * rebuilds.
 *
 * <p><b>Liveness.</b> When caught up, the runner waits in the store's {@link EventStore#awaitHead}, which
 * returns when the head of the log moves (the store's own appends wake it at once), and looks at the log at least
 * every {@link Builder#pollInterval(Duration)} in any case. A reset, a replay or a close wakes it at once.
 *
 * <p><b>Pauses.</b> An operator pauses a projection with {@link CheckpointStore#pause} (in any process sharing the
 * store: the flag is durable, beside the checkpoint). The runner looks at the flag of the projection's name (and of
 * its partition name) at most once per {@linkplain Builder#pollInterval poll interval}, so within about that time
 * (plus the batch in progress) it stops handling events and reports {@link ProjectionState#PAUSED}; it keeps its
 * lease. Once {@linkplain CheckpointStore#resume resumed} it loads its checkpoint again (an operator may have moved
 * it meanwhile) and goes on from there.
 *
 * <p><b>Failures.</b> When a batch fails, its events are handled again one per transaction, and the one that
 * fails is retried by the {@link FailurePolicy}: then the runner stops ({@link ProjectionState#FAILED},
 * checkpoint just before the event) or records the event in the {@link DeadLetterStore} and goes on. An event
 * that cannot be decoded ({@link EventDecodingException}) counts as a failing event. An operator lists dead
 * letters with {@link #deadLetters()} and replays them with {@link #replay(DeadLetter)}; from another process, an
 * operator asks for a replay with {@link DeadLetterStore#requestReplay}, and the runner replays the requested dead
 * letters between batches, looking for requests once per {@linkplain Builder#pollInterval poll interval}. A transient store failure
 * ({@link StoreUnavailableException}: the store, or the database of the checkpoint, the leases or the dead letters,
 * is down) is retried with jittered backoff under {@link Builder#storeRetry(RetryPolicy)}; the runner logs a
 * warning when the outage starts and one line when it ends, and past the policy's ceiling stops as
 * {@link ProjectionState#FAILED}. Any other failure of a store ({@link StoreFailureException}, a closed store …)
 * and an {@link Error} thrown by a handler fail the runner at once. A failed or closed runner does not restart:
 * start a new one (a builder can start any number, one after another).
 *
 * <p><b>Several nodes.</b> Given {@link Builder#leases(ProjectionLeases, Duration) leases}, the runner
 * handles events only while it holds the lease of its checkpoint name, renewing it at a third of its duration;
 * otherwise it waits in {@link ProjectionState#STANDBY} and takes over from the checkpoint when the lease
 * becomes free. Every commit is fenced: right before it the runner checks that it still holds the lease, so a
 * node that lost its lease commits nothing. At least once ({@link ProjectionTransactions#commitsAtomically()}
 * false), the lease is renewed inside a long batch, between events and before the checkpoint is saved. In one
 * transaction, which may itself hold the lease (a fenced SQL commit), it is not: a batch that would outlive its
 * lease is cut short, rolled back and tried again with fewer events; an event whose handling alone outlives the
 * lease three times in a row stops the runner. A {@link Builder#partition(Partition) partition} limits the runner
 * to a share of the streams, with a checkpoint and lease of its own.
 *
 * <p><b>Thread safety.</b> Thread-safe: {@link #status()}, {@link #awaitPosition}, {@link #resetTo},
 * {@link #replay} and {@link #close()} may be called from any thread. Handlers run only on the runner's
 * thread, one call at a time; a replay or reset requested while the runner runs is executed on that thread
 * between batches.
 *
 * @param <C> the projection's context type
 */
public final class ProjectionRunner<C> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectionRunner.class);
    private static final RetryPolicy DEFAULT_STORE_RETRY = RetryPolicy.whileUnavailable(Duration.ofMinutes(5));

    private final RunnerSettings<C> settings;
    private final RunnerProgress progress = new RunnerProgress();
    private final RunnerCommands commands;
    private final BatchHandler<C> batches;
    private final RunnerLoop<C> loop;
    private volatile Thread thread;

    private ProjectionRunner(RunnerSettings<C> settings, boolean untilCaughtUp) {
        this.settings = settings;
        this.commands = new RunnerCommands(settings.name(), progress::wake);
        LeaseKeeper lease = new LeaseKeeper(settings.leases(), settings.name(), settings.leaseDuration(),
                !settings.transactions().commitsAtomically());
        this.batches = new BatchHandler<>(settings, progress, lease);
        this.loop = new RunnerLoop<>(settings, progress, commands, lease, batches, untilCaughtUp);
    }

    /**
     * Starts configuring a runner.
     *
     * @param projection what to run
     * @param store      where the events come from
     * @param serializer decodes the events for the handlers (registry and upcasters)
     */
    public static <C> Builder<C> builder(Projection<C> projection, EventStore store, EventSerializer serializer) {
        return new Builder<>(projection, store, serializer);
    }

    /** The checkpoint (and lease) name this runner works under: the projection's name, with the partition's suffix. */
    public String name() {
        return settings.name();
    }

    /** The projection this runner runs. */
    public Projection<C> projection() {
        return settings.projection();
    }

    /** Where the runner is, how far behind the head of the log, and its last error. */
    public ProjectionStatus status() {
        return progress.status(settings.name(), settings.clock());
    }

    /**
     * Waits until every event up to {@code position} has been handled.
     *
     * @return true if it has; false if the timeout passed or the runner stopped first
     */
    public boolean awaitPosition(long position, Duration timeout) throws InterruptedException {
        return progress.awaitPosition(position, false, timeout);
    }

    /**
     * Waits until the runner has handled every event stored when this method was called, and has either found
     * nothing more ({@link ProjectionState#CAUGHT_UP}) or gone on past them.
     *
     * @return true if it has; false if the timeout passed or the runner stopped first
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return progress.awaitPosition(settings.store().headPosition(), true, timeout);
    }

    /**
     * Moves the checkpoint to {@code newPosition} (0: from the start) and goes on from there: events after it
     * are handled again (or, for a position ahead, events up to it are skipped). The read model is not touched:
     * clear it first if the events are to be handled again from scratch. Waits until done.
     *
     * @throws ProjectionOwnershipException if the runner works under leases and this node does not hold the
     *                                      projection's lease (or the runner has ended)
     * @throws StoreUnavailableException    if the checkpoint cannot be saved
     * @throws IllegalStateException        if called from one of the runner's handlers
     */
    public void resetTo(long newPosition) {
        if (newPosition < 0) {
            throw new IllegalArgumentException("position must be 0 or more, got " + newPosition);
        }
        commands.execute(() -> {
            batches.resetTo(newPosition, commands.hasEnded());
            return null;
        }, thread);
    }

    /** The events this runner skipped, by position; empty if it has no dead-letter store. */
    public List<DeadLetter> deadLetters() {
        return settings.deadLetters() == null ? List.of() : settings.deadLetters().list(settings.name());
    }

    /**
     * Hands a skipped event to its handler again, in a transaction of its own; on success the dead letter is
     * removed. Waits until done.
     *
     * @return true if the handler succeeded; false if it failed again (the dead letter is then updated with the
     *         new error)
     * @throws IllegalArgumentException     if the dead letter is not one of this runner's
     * @throws IllegalStateException        if the runner has no dead-letter store, the event is no longer in the
     *                                      store, or this is called from one of the runner's handlers
     * @throws ProjectionOwnershipException if the runner works under leases and this node does not hold the
     *                                      projection's lease (or the runner has ended)
     */
    public boolean replay(DeadLetter deadLetter) {
        Objects.requireNonNull(deadLetter, "dead letter must not be null");
        if (settings.deadLetters() == null) {
            throw new IllegalStateException("runner '" + settings.name() + "' has no dead-letter store to replay from");
        }
        if (!deadLetter.projection().equals(settings.name())) {
            throw new IllegalArgumentException("dead letter of '" + deadLetter.projection() + "' at "
                    + deadLetter.position() + " does not belong to runner '" + settings.name() + "'");
        }
        return commands.execute(() -> batches.replay(deadLetter, commands.hasEnded()), thread);
    }

    /** Replays every dead letter of this runner, oldest first; returns how many succeeded (and were removed). */
    public int replayAll() {
        int replayed = 0;
        for (DeadLetter deadLetter : deadLetters()) {
            if (replay(deadLetter)) {
                replayed++;
            }
        }
        return replayed;
    }

    /**
     * Stops the runner: the batch in progress is finished (or, if it fails, abandoned), the lease released and
     * the thread ended. Waits for a handler call in progress at most the {@linkplain Builder#closeTimeout close
     * timeout}; past it, interrupts the runner's thread and waits a little more (at most a second); if the
     * handler ignores the interrupt, returns anyway: the runner then reports {@link ProjectionState#STOPPED}, its
     * thread commits nothing more and ends when the handler returns (a reset or replay asked for meanwhile waits
     * for that). Idempotent.
     */
    @Override
    public void close() {
        progress.requestClose();
        Thread own = thread;
        if (own == null || Thread.currentThread() == own) {
            return;
        }
        Duration timeout = settings.closeTimeout();
        try {
            own.join(timeout.toMillis() + 1);
            if (own.isAlive()) {
                LOG.warn("projection '{}' did not stop within {}; interrupting its thread", settings.name(), timeout);
                own.interrupt();
                own.join(Math.min(timeout.toMillis(), 1000) + 1);
            }
            if (own.isAlive()) {
                LOG.warn("projection '{}': its handler ignores interrupts; leaving its thread to end on its own",
                        settings.name());
                progress.abandon();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ProjectionRunner[" + settings.name() + ", " + status().state() + "]";
    }

    private void start() {
        Thread own = new Thread(loop::run, "relato-projection-" + settings.name());
        own.setDaemon(true);
        thread = own;
        own.start();
    }

    /**
     * Configures a {@link ProjectionRunner}. Not thread-safe; {@link #start()} validates the settings and may be
     * called again to start another runner with them (for example after one failed).
     *
     * @param <C> the projection's context type
     */
    public static final class Builder<C> {
        private final Projection<C> projection;
        private final EventStore store;
        private final EventSerializer serializer;
        private ProjectionTransactions<C> transactions;
        private FailurePolicy policy = FailurePolicy.DEFAULT;
        private DeadLetterStore deadLetters;
        private Partition partition = Partition.whole();
        private ProjectionLeases leases;
        private Duration leaseDuration = Duration.ofSeconds(30);
        private int batchSize = 100;
        private Duration pollInterval = Duration.ofSeconds(1);
        private RetryPolicy storeRetry = DEFAULT_STORE_RETRY;
        private Duration closeTimeout = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();

        private Builder(Projection<C> projection, EventStore store, EventSerializer serializer) {
            this.projection = Objects.requireNonNull(projection, "projection must not be null");
            this.store = Objects.requireNonNull(store, "event store must not be null");
            this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
        }

        /** Where the read model and checkpoint live and how they commit (required, or {@link #context}). */
        public Builder<C> transactions(ProjectionTransactions<C> boundary) {
            this.transactions = Objects.requireNonNull(boundary, "transactions must not be null");
            return this;
        }

        /** Handlers get {@code context}; the checkpoint is kept in {@code checkpoints}, at least once. */
        public Builder<C> context(C context, CheckpointStore checkpoints) {
            return transactions(ProjectionTransactions.atLeastOnce(context, checkpoints));
        }

        /** What to do when an event fails; default {@link FailurePolicy#DEFAULT}. */
        public Builder<C> failurePolicy(FailurePolicy failurePolicy) {
            this.policy = Objects.requireNonNull(failurePolicy, "failure policy must not be null");
            return this;
        }

        /** Where skipped events go; required by a {@link FailurePolicy.Exhausted#SKIP} policy. */
        public Builder<C> deadLetters(DeadLetterStore store) {
            this.deadLetters = Objects.requireNonNull(store, "dead-letter store must not be null");
            return this;
        }

        /** The name a runner of this share would work under: its checkpoint and lease name. */
        String name(Partition share) {
            return share.checkpointName(projection.name());
        }

        /** The partition set so far. */
        Partition partition() {
            return partition;
        }

        /** Handle only this partition of the streams; default all. */
        public Builder<C> partition(Partition share) {
            this.partition = Objects.requireNonNull(share, "partition must not be null");
            return this;
        }

        /**
         * Run only while holding the lease of this runner's name among several nodes; each lease lasts
         * {@code duration} and is renewed at a third of it. A node that stops renewing loses it after that time.
         */
        public Builder<C> leases(ProjectionLeases nodeLeases, Duration duration) {
            this.leases = Objects.requireNonNull(nodeLeases, "leases must not be null");
            this.leaseDuration = Objects.requireNonNull(duration, "lease duration must not be null");
            return this;
        }

        /** Events per batch (and transaction), 1 to 10,000; default 100. */
        public Builder<C> batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /**
         * The longest wait before looking at the log again when caught up; default 1 s. The store's
         * {@link EventStore#awaitHead} usually wakes the runner sooner.
         */
        public Builder<C> pollInterval(Duration interval) {
            this.pollInterval = Objects.requireNonNull(interval, "poll interval must not be null");
            return this;
        }

        /**
         * How the runner retries when the store (or the checkpoint's, lease's or dead letters' store) is
         * unavailable ({@link StoreUnavailableException}); past the policy's ceiling the runner stops as
         * {@link ProjectionState#FAILED}. Default: backoff from 100 ms to 5 s, for at most 5 minutes. Failures
         * that are not transient fail the runner at once.
         */
        public Builder<C> storeRetry(RetryPolicy policy) {
            this.storeRetry = Objects.requireNonNull(policy, "store retry policy must not be null");
            return this;
        }

        /**
         * How long {@link ProjectionRunner#close()} waits for a handler call in progress before it interrupts the
         * runner's thread; default 10 s.
         */
        public Builder<C> closeTimeout(Duration timeout) {
            this.closeTimeout = Objects.requireNonNull(timeout, "close timeout must not be null");
            return this;
        }

        /** Clock for the status (time behind) and dead letters; default the system clock (UTC). */
        public Builder<C> clock(Clock source) {
            this.clock = Objects.requireNonNull(source, "clock must not be null");
            return this;
        }

        /**
         * Starts a runner with these settings on a thread of its own.
         *
         * @throws IllegalStateException    if no transactions or context were given, or a skip policy has no
         *                                  dead-letter store
         * @throws IllegalArgumentException if a setting is out of range, or the projection handles a class the
         *                                  serializer does not know
         */
        public ProjectionRunner<C> start() {
            ProjectionRunner<C> runner = new ProjectionRunner<>(settings(), false);
            runner.start();
            return runner;
        }

        private RunnerSettings<C> settings() {
            if (transactions == null) {
                throw new IllegalStateException("projection '" + projection.name() + "' needs transactions(...) or "
                        + "context(...) to know where its read model and checkpoint live");
            }
            if (policy.whenExhausted() == FailurePolicy.Exhausted.SKIP && deadLetters == null) {
                throw new IllegalStateException("projection '" + projection.name() + "' skips failing events but has no "
                        + "deadLetters(...) store to keep them in");
            }
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException("batch size must be 1 to 10000, got " + batchSize);
            }
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("poll interval must be positive, got " + pollInterval);
            }
            if (leaseDuration.compareTo(Duration.ofMillis(30)) < 0) {
                throw new IllegalArgumentException("lease duration must be at least 30 ms, got " + leaseDuration);
            }
            if (closeTimeout.isNegative()) {
                throw new IllegalArgumentException("close timeout must not be negative, got " + closeTimeout);
            }
            return new RunnerSettings<>(projection, store, serializer, transactions, policy, deadLetters, partition,
                    leases, leaseDuration, batchSize, pollInterval, storeRetry, closeTimeout, clock, name(partition),
                    projection.filter(serializer));
        }

        /**
         * Runs the projection on the calling thread until it has handled every event stored now, then returns:
         * for tests (with an in-memory store and read model), command-line rebuilds and batch jobs. Failures are
         * handled as by a started runner (the failure policy, the store retry policy); a stop ends the call early.
         * If the calling thread is interrupted (or a handler throws {@link InterruptedException}), the catch-up
         * stops and the thread's interrupt flag is set again when this returns.
         *
         * @return the final status: {@link ProjectionState#STOPPED} once caught up, {@link ProjectionState#PAUSED}
         *         at once (nothing handled) if the projection is paused, {@link ProjectionState#FAILED}
         *         (with {@link ProjectionStatus#lastError()}) if an event kept failing under a stop policy, the store
         *         failed, a handler threw an {@link Error} or the thread was interrupted
         * @throws IllegalStateException as {@link #start()}, or if leases were given (a node without the lease
         *                               would wait for ever)
         */
        public ProjectionStatus catchUp() {
            RunnerSettings<C> settings = settings();
            if (leases != null) {
                throw new IllegalStateException("projection '" + projection.name() + "' cannot catch up on the calling "
                        + "thread under leases; start() it instead");
            }
            ProjectionRunner<C> runner = new ProjectionRunner<>(settings, true);
            runner.loop.run();
            return runner.status();
        }
    }
}
