package dev.relato.projection;

import dev.relato.EventFilter;
import dev.relato.EventStore;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.RelatoException;
import dev.relato.StoreUnavailableException;
import dev.relato.Subscription;
import dev.relato.SubscriptionListener;
import dev.relato.serialization.EventSerializer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * <p><b>Liveness.</b> When caught up, the runner waits for new events with a {@link EventStore#subscribe
 * subscription} that only wakes it, and looks at the log at least every {@link Builder#pollInterval(Duration)}
 * in any case.
 *
 * <p><b>Failures.</b> When a batch fails, its events are handled again one per transaction, and the one that
 * fails is retried by the {@link FailurePolicy}: then the runner stops ({@link ProjectionState#FAILED},
 * checkpoint just before the event) or records the event in the {@link DeadLetterStore} and goes on. An
 * operator lists dead letters with {@link #deadLetters()} and replays them with {@link #replay(DeadLetter)}.
 * A {@link StoreUnavailableException} (the store or the checkpoint's database is down) is retried with the
 * policy's backoff for as long as it lasts, without counting attempts. An {@link Error} thrown by a handler
 * fails the runner at once. A failed or closed runner does not restart: start a new one (a builder can start
 * any number, one after another).
 *
 * <p><b>Several nodes.</b> Given {@link Builder#leases(ProjectionLeases, Duration) leases}, the runner
 * handles events only while it holds the lease of its checkpoint name, renewing it at a third of its duration;
 * otherwise it waits in {@link ProjectionState#STANDBY} and takes over from the checkpoint when the lease
 * becomes free. A {@link Builder#partition(Partition) partition} limits the runner to a share of the streams,
 * with a checkpoint and lease of its own.
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
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final Projection<C> projection;
    private final EventStore store;
    private final EventSerializer serializer;
    private final ProjectionTransactions<C> transactions;
    private final FailurePolicy policy;
    private final DeadLetterStore deadLetterStore;
    private final Partition partition;
    private final ProjectionLeases leases;
    private final Duration leaseDuration;
    private final int batchSize;
    private final Duration pollInterval;
    private final Clock clock;
    private final String name;
    private final EventFilter filter;
    private final boolean untilCaughtUp;
    private volatile Thread thread;

    /** Guards the fields below it; the runner waits on it. */
    private final Object monitor = new Object();
    private final Deque<FutureTask<?>> commands = new ArrayDeque<>();
    private boolean closing;
    private boolean terminated;
    private boolean wakeRequested;
    private ProjectionState state = ProjectionState.STARTING;
    private long position;
    private long head;
    private Instant pendingSince;
    private String lastError;

    /** Used only by the runner's thread (or by the caller once the thread has ended). */
    private final Object offline = new Object();
    private long checkpoint;
    private boolean leaseHeld;
    private long leaseRenewAt;
    private Subscription wakeups;

    private ProjectionRunner(Builder<C> builder, boolean untilCaughtUp) {
        this.projection = builder.projection;
        this.store = builder.store;
        this.serializer = builder.serializer;
        this.transactions = builder.transactions;
        this.policy = builder.policy;
        this.deadLetterStore = builder.deadLetters;
        this.partition = builder.partition;
        this.leases = builder.leases;
        this.leaseDuration = builder.leaseDuration;
        this.batchSize = builder.batchSize;
        this.pollInterval = builder.pollInterval;
        this.clock = builder.clock;
        this.name = partition.checkpointName(projection.name());
        this.filter = projection.filter(serializer);
        this.untilCaughtUp = untilCaughtUp;
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
        return name;
    }

    /** The projection this runner runs. */
    public Projection<C> projection() {
        return projection;
    }

    /** Where the runner is, how far behind the head of the log, and its last error. */
    public ProjectionStatus status() {
        synchronized (monitor) {
            Instant now = clock.instant();
            Duration behind = pendingSince == null || !now.isAfter(pendingSince)
                    ? Duration.ZERO : Duration.between(pendingSince, now);
            return new ProjectionStatus(name, state, position, Math.max(head, position), Math.max(0, head - position),
                    behind, Optional.ofNullable(lastError), now);
        }
    }

    /**
     * Waits until every event up to {@code position} has been handled.
     *
     * @return true if it has; false if the timeout passed or the runner stopped first
     */
    public boolean awaitPosition(long position, Duration timeout) throws InterruptedException {
        return awaitProgress(position, false, timeout);
    }

    private boolean awaitProgress(long target, boolean caughtUp, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (position < target || (caughtUp && position == target && state != ProjectionState.CAUGHT_UP)) {
                long left = deadline - System.nanoTime();
                if (terminated || state.isTerminal() || left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            return true;
        }
    }

    /**
     * Waits until the runner has handled every event stored when this method was called, and has either found
     * nothing more ({@link ProjectionState#CAUGHT_UP}) or gone on past them.
     *
     * @return true if it has; false if the timeout passed or the runner stopped first
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return awaitProgress(store.headPosition(), true, timeout);
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
        execute(() -> {
            boolean ended;
            synchronized (monitor) {
                ended = terminated;
            }
            if (leases != null && (ended || !leaseHeld)) {
                throw new ProjectionOwnershipException("node '" + leases.nodeId() + "' does not run '" + name
                        + "' now; reset it on the node holding its lease, or save the checkpoint while no runner runs");
            }
            long current = transactions.checkpoint(name);
            transactions.commit(name, current, newPosition, context -> {
            });
            checkpoint = newPosition;
            synchronized (monitor) {
                position = newPosition;
                pendingSince = null;
                monitor.notifyAll();
            }
            LOG.info("projection '{}' reset from {} to {}", name, current, newPosition);
            return null;
        });
    }

    /** The events this runner skipped, by position; empty if it has no dead-letter store. */
    public List<DeadLetter> deadLetters() {
        return deadLetterStore == null ? List.of() : deadLetterStore.list(name);
    }

    /**
     * Hands a skipped event to its handler again, in a transaction of its own; on success the dead letter is
     * removed. Waits until done.
     *
     * @return true if the handler succeeded; false if it failed again (the dead letter is then updated with the
     *         new error)
     * @throws IllegalArgumentException if the dead letter is not one of this runner's
     * @throws IllegalStateException    if the runner has no dead-letter store, the event is no longer in the
     *                                  store, or this is called from one of the runner's handlers
     */
    public boolean replay(DeadLetter deadLetter) {
        Objects.requireNonNull(deadLetter, "dead letter must not be null");
        if (deadLetterStore == null) {
            throw new IllegalStateException("runner '" + name + "' has no dead-letter store to replay from");
        }
        if (!deadLetter.projection().equals(name)) {
            throw new IllegalArgumentException("dead letter of '" + deadLetter.projection() + "' at "
                    + deadLetter.position() + " does not belong to runner '" + name + "'");
        }
        return execute(() -> replayNow(deadLetter));
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
     * the thread ended. Waits up to 30 seconds for the thread, then interrupts it. Idempotent.
     */
    @Override
    public void close() {
        synchronized (monitor) {
            closing = true;
            monitor.notifyAll();
        }
        Thread own = thread;
        if (own == null || Thread.currentThread() == own) {
            return;
        }
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
            if (thread.isAlive()) {
                LOG.warn("projection '{}' did not stop within {}; interrupting its thread", name, CLOSE_TIMEOUT);
                thread.interrupt();
                thread.join(CLOSE_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ProjectionRunner[" + name + ", " + status().state() + "]";
    }

    // ---- the runner's thread

    private void start() {
        Thread own = new Thread(this::run, "relato-projection-" + name);
        own.setDaemon(true);
        thread = own;
        own.start();
    }

    private void run() {
        Throwable failure = null;
        try {
            synchronized (offline) {
                loop();
            }
        } catch (InterruptedException e) {
            if (!isClosing()) {
                failure = e;
                LOG.error("projection '{}' was interrupted and stopped", name, e);
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("projection '{}' failed and stopped", name, e);
        } finally {
            closeWakeups();
            if (failure == null && leases != null && leaseHeld) {
                try {
                    leases.release(name);
                } catch (RelatoException e) {
                    LOG.warn("projection '{}' could not release its lease; it expires by itself", name, e);
                }
            }
            List<FutureTask<?>> left;
            synchronized (monitor) {
                terminated = true;
                state = failure == null ? ProjectionState.STOPPED : ProjectionState.FAILED;
                if (failure != null) {
                    lastError = DeadLetter.describe(failure instanceof StopException stop ? stop.getCause() : failure);
                }
                left = new ArrayList<>(commands);
                commands.clear();
                monitor.notifyAll();
            }
            synchronized (offline) {
                left.forEach(FutureTask::run);
            }
        }
    }

    private void loop() throws Exception {
        boolean loaded = false;
        int outage = 0;
        while (!isClosing()) {
            try {
                runCommands();
                if (!ensureLease()) {
                    setState(ProjectionState.STANDBY);
                    await(shorter(pollInterval, leaseDuration.dividedBy(3)));
                    continue;
                }
                if (!loaded && leases == null) {
                    reload();
                    loaded = true;
                }
                long headNow = store.headPosition();
                long from = position();
                List<RecordedEvent> page;
                try (Stream<RecordedEvent> events = store.readAll(GlobalRead.after(from).filter(filter)
                        .batchSize(batchSize).limit(batchSize))) {
                    page = events.toList();
                }
                boolean full = page.size() == batchSize;
                synchronized (monitor) {
                    head = Math.max(headNow, page.isEmpty() ? 0 : page.get(page.size() - 1).position());
                    pendingSince = page.isEmpty() ? null : page.get(0).recordedAt();
                    if (full || (!page.isEmpty() && state != ProjectionState.CAUGHT_UP)) {
                        state = ProjectionState.CATCHING_UP;
                    }
                }
                if (!page.isEmpty() && !handleBatch(page)) {
                    continue;
                }
                outage = 0;
                if (!full) {
                    caughtUp(Math.max(headNow, from));
                    if (untilCaughtUp) {
                        return;
                    }
                    openWakeups(headNow);
                    await(pollInterval);
                }
            } catch (StoreUnavailableException e) {
                outage++;
                Duration wait = policy.backoffAfter(outage);
                LOG.warn("projection '{}': store unavailable, trying again in {}: {}", name, wait, e.getMessage());
                setError(e);
                await(wait);
            } catch (ProjectionOwnershipException e) {
                lostOwnership(e);
            }
        }
    }

    /** Handles a page; returns false if the runner must look again (ownership lost, closing). */
    private boolean handleBatch(List<RecordedEvent> page) throws Exception {
        long next = page.get(page.size() - 1).position();
        int[] current = new int[1];
        try {
            transactions.commit(name, checkpoint, next, context -> {
                for (current[0] = 0; current[0] < page.size(); current[0]++) {
                    handle(context, page.get(current[0]));
                }
            });
            advanced(next);
            return true;
        } catch (ProjectionOwnershipException | StoreUnavailableException | Error e) {
            throw e;
        } catch (Exception e) {
            // The batch is rolled back (or, at least once, partly applied): handle its events one per
            // transaction, the failed one counting this failure as its first attempt.
            int failed = Math.min(current[0], page.size() - 1);
            for (int i = 0; i < page.size(); i++) {
                if (isClosing() || !handleOne(page.get(i), i == failed ? e : null)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Handles one event under the failure policy; returns false if the runner is closing. */
    private boolean handleOne(RecordedEvent record, Exception firstFailure) throws Exception {
        int attempts = firstFailure == null ? 0 : 1;
        Exception last = firstFailure;
        while (true) {
            if (attempts >= policy.maxAttempts()) {
                return exhausted(record, last, attempts);
            }
            if (attempts > 0) {
                setState(ProjectionState.RETRYING);
                Duration wait = policy.backoffAfter(attempts);
                LOG.warn("projection '{}': event at {} ({} of {}) failed (attempt {} of {}), trying again in {}: {}",
                        name, record.position(), record.type(), record.streamId(), attempts, policy.maxAttempts(), wait,
                        last.toString());
                if (pause(wait)) {
                    return false;
                }
            }
            try {
                transactions.commit(name, checkpoint, record.position(), context -> handle(context, record));
                advanced(record.position());
                return true;
            } catch (ProjectionOwnershipException | StoreUnavailableException | Error e) {
                throw e;
            } catch (Exception e) {
                last = e;
                attempts++;
                setError(e);
            }
        }
    }

    private boolean exhausted(RecordedEvent record, Exception failure, int attempts) throws Exception {
        if (policy.whenExhausted() == FailurePolicy.Exhausted.STOP) {
            throw new StopException("projection '" + name + "' stops at the event at position " + record.position()
                    + " (" + record.type() + " of " + record.streamId() + "), which failed " + attempts + " times", failure);
        }
        DeadLetter letter = DeadLetter.of(name, record, failure, attempts, clock.instant());
        deadLetterStore.add(letter);
        LOG.error("projection '{}' skips the event at position {} ({} of {}) after {} failed attempts; it is kept as a"
                + " dead letter", name, record.position(), record.type(), record.streamId(), attempts, failure);
        transactions.commit(name, checkpoint, record.position(), context -> {
        });
        advanced(record.position());
        return true;
    }

    private void handle(C context, RecordedEvent record) throws Exception {
        if (partition.owns(record.streamId())) {
            projection.handle(context, record, serializer);
        }
    }

    private boolean replayNow(DeadLetter letter) throws Exception {
        RecordedEvent record;
        try (Stream<RecordedEvent> events = store.readAll(GlobalRead.after(letter.position() - 1).limit(1))) {
            record = events.findFirst().filter(r -> r.eventId().equals(letter.eventId())).orElseThrow(() ->
                    new IllegalStateException("the event " + letter.eventId() + " at position " + letter.position()
                            + " is no longer in the store"));
        }
        try {
            transactions.run(context -> projection.handle(context, record, serializer));
        } catch (StoreUnavailableException | Error e) {
            throw e;
        } catch (Exception e) {
            LOG.warn("projection '{}': replay of the dead letter at {} failed again", name, letter.position(), e);
            deadLetterStore.add(DeadLetter.of(name, record, e, letter.attempts() + 1, clock.instant()));
            return false;
        }
        deadLetterStore.remove(name, letter.position());
        LOG.info("projection '{}': dead letter at {} replayed", name, letter.position());
        return true;
    }

    private boolean ensureLease() {
        if (leases == null) {
            return true;
        }
        long now = System.nanoTime();
        if (leaseHeld && now - leaseRenewAt < 0) {
            return true;
        }
        boolean held;
        try {
            held = leases.acquire(name, leaseDuration);
        } catch (StoreUnavailableException e) {
            LOG.warn("projection '{}': lease could not be renewed: {}", name, e.getMessage());
            held = false;
        }
        if (held && !leaseHeld) {
            LOG.info("projection '{}': node '{}' holds the lease", name, leases.nodeId());
            reload();
        } else if (!held && leaseHeld) {
            LOG.warn("projection '{}': node '{}' lost the lease", name, leases.nodeId());
        }
        leaseHeld = held;
        leaseRenewAt = now + leaseDuration.dividedBy(3).toNanos();
        return held;
    }

    private void reload() {
        checkpoint = transactions.checkpoint(name);
        synchronized (monitor) {
            position = checkpoint;
            pendingSince = null;
            monitor.notifyAll();
        }
    }

    private void lostOwnership(ProjectionOwnershipException e) {
        LOG.warn("projection '{}': {}; reloading the checkpoint", name, e.getMessage());
        if (leases != null) {
            leaseHeld = false;
        } else {
            reload();
        }
    }

    private void advanced(long next) {
        checkpoint = next;
        synchronized (monitor) {
            position = Math.max(position, next);
            head = Math.max(head, next);
            lastError = null;
            if (state == ProjectionState.RETRYING) {
                state = ProjectionState.CATCHING_UP;
            }
            monitor.notifyAll();
        }
    }

    private void caughtUp(long upTo) {
        synchronized (monitor) {
            position = Math.max(position, upTo);
            head = Math.max(head, position);
            pendingSince = null;
            state = ProjectionState.CAUGHT_UP;
            monitor.notifyAll();
        }
    }

    private void openWakeups(long from) {
        if (wakeups != null && wakeups.isRunning()) {
            return;
        }
        closeWakeups();
        try {
            wakeups = store.subscribe(from, filter, new SubscriptionListener() {
                @Override
                public void onEvent(RecordedEvent event) {
                    wake();
                }

                @Override
                public void onStopped(Optional<Throwable> failure) {
                    failure.ifPresent(e -> LOG.debug("projection '{}': wake-up subscription stopped; polling", name, e));
                }
            });
        } catch (RelatoException e) {
            LOG.debug("projection '{}': no wake-up subscription; polling every {}", name, pollInterval, e);
        }
    }

    private void closeWakeups() {
        if (wakeups != null) {
            try {
                wakeups.close();
            } catch (RuntimeException e) {
                LOG.debug("projection '{}': closing the wake-up subscription failed", name, e);
            }
            wakeups = null;
        }
    }

    private void runCommands() {
        while (true) {
            FutureTask<?> command;
            synchronized (monitor) {
                command = commands.poll();
            }
            if (command == null) {
                return;
            }
            command.run();
        }
    }

    private <T> T execute(Callable<T> work) {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("projection '" + name + "': a reset or replay waits for the runner's "
                    + "thread, so it cannot be requested from that thread (a handler); request it from another thread");
        }
        FutureTask<T> task = new FutureTask<>(work);
        boolean queued;
        synchronized (monitor) {
            queued = !terminated;
            if (queued) {
                commands.add(task);
                wakeRequested = true;
                monitor.notifyAll();
            }
        }
        if (!queued) {
            synchronized (offline) {
                task.run();
            }
        }
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RelatoException("interrupted while waiting for projection '" + name + "'", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new RelatoException("projection '" + name + "': " + cause.getMessage(), cause);
        }
    }

    private void wake() {
        synchronized (monitor) {
            wakeRequested = true;
            monitor.notifyAll();
        }
    }

    /** Waits up to {@code timeout} or until woken; returns whether the runner is closing. */
    private boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (!closing && !wakeRequested) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            wakeRequested = false;
            return closing;
        }
    }

    /**
     * Waits the whole of {@code timeout} unless the runner is closing, however often it is woken meanwhile (new
     * events must not cut a failure policy's backoff short); returns whether it is closing. A wake-up stays
     * requested for the next {@link #await}.
     */
    private boolean pause(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (!closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
            return closing;
        }
    }

    private boolean isClosing() {
        synchronized (monitor) {
            return closing;
        }
    }

    private long position() {
        synchronized (monitor) {
            return position;
        }
    }

    private void setState(ProjectionState newState) {
        synchronized (monitor) {
            state = newState;
        }
    }

    private void setError(Throwable e) {
        synchronized (monitor) {
            lastError = DeadLetter.describe(e);
        }
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Ends the runner's thread when an event keeps failing under {@link FailurePolicy.Exhausted#STOP}. */
    private static final class StopException extends RelatoException {
        StopException(String message, Throwable cause) {
            super(message, cause);
        }
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

        /** The longest wait before looking at the log again when caught up; default 1 s. */
        public Builder<C> pollInterval(Duration interval) {
            this.pollInterval = Objects.requireNonNull(interval, "poll interval must not be null");
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
            validate();
            ProjectionRunner<C> runner = new ProjectionRunner<>(this, false);
            runner.start();
            return runner;
        }

        private void validate() {
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
        }

        /**
         * Runs the projection on the calling thread until it has handled every event stored now, then returns:
         * for tests (with an in-memory store and read model), command-line rebuilds and batch jobs. Failures are
         * handled by the failure policy as by a started runner; a stop ends the call early.
         *
         * @return the final status: {@link ProjectionState#STOPPED} once caught up, {@link ProjectionState#FAILED}
         *         (with {@link ProjectionStatus#lastError()}) if an event kept failing under a stop policy or a
         *         handler threw an {@link Error}
         * @throws IllegalStateException as {@link #start()}, or if leases were given (a node without the lease
         *                               would wait for ever)
         */
        public ProjectionStatus catchUp() {
            validate();
            if (leases != null) {
                throw new IllegalStateException("projection '" + projection.name() + "' cannot catch up on the calling "
                        + "thread under leases; start() it instead");
            }
            ProjectionRunner<C> runner = new ProjectionRunner<>(this, true);
            runner.run();
            return runner.status();
        }
    }
}
