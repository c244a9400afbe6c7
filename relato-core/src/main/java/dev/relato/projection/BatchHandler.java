package dev.relato.projection;

import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.RelatoException;
import dev.relato.StoreUnavailableException;
import dev.relato.observe.Observation;
import dev.relato.observe.Outcome;
import dev.relato.observe.RelatoObserver;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a {@link ProjectionRunner}'s events to the projection's handlers and commits them with the checkpoint:
 * a page in one commit; after a failure, its events one per commit under the {@link FailurePolicy} (retried, then
 * stopped or skipped into the dead letters); and the resets and replays operators ask for. Every commit is fenced
 * against a lost lease ({@link LeaseKeeper}) and refused once a close gave up waiting for the runner.
 *
 * <p>What a handler throws (or the decoding of its event, {@link dev.relato.EventDecodingException}) goes through
 * the failure policy, except an {@link InterruptedException}, which stops the runner, a
 * {@link StoreUnavailableException}, which counts as an outage of the store, and an {@link Error}, which fails the
 * runner at once. What the commit itself throws is the store's: transient, ownership or permanent, for the runner
 * to deal with. Not thread-safe: used on the runner's thread (or, once it ended, by one command at a time).
 */
final class BatchHandler<C> {
    private static final Logger LOG = LoggerFactory.getLogger(BatchHandler.class);
    /** How often in a row a one-event batch may outlive the lease before the runner gives up. */
    private static final int MAX_OUTLIVED = 3;

    /** Carries what a handler threw out of the commit, to tell it from what the commit itself threw. */
    private static final class HandlerFailure extends RelatoException {
        HandlerFailure(Exception cause) {
            super(cause.toString(), cause);
        }
    }

    private final RunnerSettings<C> settings;
    private final RunnerProgress progress;
    private final LeaseKeeper lease;
    private final String name;
    private final FailurePolicy policy;
    private final RelatoObserver observer;
    private long checkpoint;
    private int limit;
    private long outlivedAt = -1;
    private int outlived;
    /** Events after this position are live: the head when the runner last caught up after (re)loading. */
    private long liveAfter = Long.MAX_VALUE;

    BatchHandler(RunnerSettings<C> settings, RunnerProgress progress, LeaseKeeper lease) {
        this.settings = settings;
        this.progress = progress;
        this.lease = lease;
        this.name = settings.name();
        this.policy = settings.failurePolicy();
        this.observer = settings.store().observer();
        this.limit = settings.batchSize();
    }

    /** The runner goes on from {@code position}, its stored checkpoint; it catches up before events are live. */
    void loaded(long position) {
        checkpoint = position;
        liveAfter = Long.MAX_VALUE;
        progress.loaded(position);
    }

    /** The runner found nothing more to read up to {@code position}: events after it are live. */
    void caughtUp(long position) {
        liveAfter = Math.min(liveAfter, position);
        progress.caughtUp(position);
    }

    /** How many events to read for the next batch: the batch size, or fewer after a batch was cut short. */
    int limit() {
        return limit;
    }

    /**
     * Handles a page in one commit, or, if a handler fails, event by event under the failure policy.
     *
     * @return false if the runner must read again: the batch was cut short, or the runner is closing
     */
    boolean handle(List<RecordedEvent> page) throws Exception {
        long started = System.nanoTime();
        long next = page.get(page.size() - 1).position();
        int[] reached = new int[1];
        try {
            settings.transactions().commit(name, checkpoint, next, context -> {
                for (int i = 0; i < page.size(); i++) {
                    if (i > 0) {
                        lease.duringBatch();
                    }
                    handle(context, page.get(i));
                    reached[0] = i + 1;
                }
                fence();
            });
        } catch (Exception e) {
            LeaseKeeper.RunningOut out = find(e, LeaseKeeper.RunningOut.class);
            if (out != null) {
                return cutShort(page, reached[0], out);
            }
            Exception failure = handlerFailure(e);
            observer.handlerFailed(name, failure);
            // The batch is rolled back (or, at least once, partly applied): handle its events one per
            // transaction, the failed one counting this failure as its first attempt.
            int failed = Math.min(reached[0], page.size() - 1);
            for (int i = 0; i < page.size(); i++) {
                if (progress.isClosing() || !handleOne(page.get(i), i == failed ? failure : null)) {
                    return false;
                }
            }
            return true;
        }
        observer.batchHandled(name, page.size(), Duration.ofNanos(System.nanoTime() - started));
        advanced(next);
        limit = Math.min(settings.batchSize(), limit * 2);
        return true;
    }

    private boolean cutShort(List<RecordedEvent> page, int reached, LeaseKeeper.RunningOut out) {
        if (reached < page.size()) {
            limit = Math.max(1, reached);
        } else {
            if (page.size() == 1) {
                outlived(page.get(0), out);
            }
            limit = Math.max(1, page.size() / 2);
        }
        LOG.info("projection '{}': {}; the batch from position {} is rolled back and tried again with {} events at most",
                name, out.getMessage(), page.get(0).position(), limit);
        return false;
    }

    /** A one-event batch outlived the lease: tried again a few times, then the runner stops. */
    private void outlived(RecordedEvent record, LeaseKeeper.RunningOut out) {
        outlived = outlivedAt == record.position() ? outlived + 1 : 1;
        outlivedAt = record.position();
        if (outlived >= MAX_OUTLIVED) {
            throw new RunnerStop("projection '" + name + "': handling the event at position " + record.position()
                    + " (" + record.type() + " of " + record.streamId() + ") took longer than the lease of "
                    + settings.leaseDuration() + " " + MAX_OUTLIVED + " times; give the runner a longer lease", out);
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
                observer.handlerRetried(name);
                progress.state(ProjectionState.RETRYING);
                Duration wait = policy.backoffAfter(attempts);
                if (attempts == 1) {
                    LOG.warn("projection '{}': the event at {} ({} of {}) failed; trying it again up to {} times, first "
                            + "in {}: {}", name, record.position(), record.type(), record.streamId(),
                            policy.maxAttempts() - 1, wait, last.toString());
                } else {
                    LOG.debug("projection '{}': the event at {} failed again (attempt {} of {}); next in {}: {}", name,
                            record.position(), attempts, policy.maxAttempts(), wait, last.toString());
                }
                if (waitBeforeRetry(wait)) {
                    return false;
                }
            }
            try {
                lease.renewIfDue();
                settings.transactions().commit(name, checkpoint, record.position(), context -> {
                    handle(context, record);
                    fence();
                });
                advanced(record.position());
                return true;
            } catch (Exception e) {
                LeaseKeeper.RunningOut out = find(e, LeaseKeeper.RunningOut.class);
                if (out != null) {
                    outlived(record, out);
                    continue;
                }
                last = handlerFailure(e);
                observer.handlerFailed(name, last);
                attempts++;
                progress.error(last);
            }
        }
    }

    /** Waits {@code wait} before a retry, renewing the lease meanwhile; returns whether the runner is closing. */
    private boolean waitBeforeRetry(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (progress.pause(lease.untilRenewal(Duration.ofNanos(left)))) {
                return true;
            }
            lease.renewIfDue();
        }
    }

    private boolean exhausted(RecordedEvent record, Exception failure, int attempts) throws Exception {
        if (policy.whenExhausted() == FailurePolicy.Exhausted.STOP) {
            throw new RunnerStop("projection '" + name + "' stops at the event at position " + record.position()
                    + " (" + record.type() + " of " + record.streamId() + "), which failed " + attempts + " times", failure);
        }
        DeadLetter letter = DeadLetter.of(name, record, failure, attempts, settings.clock().instant());
        settings.deadLetters().add(letter);
        observer.deadLettered(name);
        LOG.error("projection '{}' skips the event at position {} ({} of {}) after {} failed attempts; it is kept as a"
                + " dead letter", name, record.position(), record.type(), record.streamId(), attempts, failure);
        settings.transactions().commit(name, checkpoint, record.position(), context -> fence());
        advanced(record.position());
        return true;
    }

    /**
     * Moves the checkpoint to {@code position}. On the runner's thread the commit is fenced; once the runner has
     * ended ({@code ended}), a runner under leases refuses, since this node may not hold the lease.
     */
    void resetTo(long position, boolean ended) throws Exception {
        if (lease.enabled() && (ended || !lease.isHeld())) {
            throw new ProjectionOwnershipException("node '" + lease.nodeId() + "' does not run '" + name
                    + "' now; reset it on the node holding its lease, or save the checkpoint while no runner runs");
        }
        long current = settings.transactions().checkpoint(name);
        settings.transactions().commit(name, current, position, context -> fence());
        loaded(position);
        LOG.info("projection '{}' reset from {} to {}", name, current, position);
    }

    /**
     * Hands a dead letter's event to its handler again, in a transaction of its own; removes the dead letter if it
     * succeeds, records the new failure if not.
     *
     * @return whether the handler succeeded
     */
    boolean replay(DeadLetter letter, boolean ended) throws Exception {
        if (lease.enabled() && (ended || !lease.isHeld())) {
            throw new ProjectionOwnershipException("node '" + lease.nodeId() + "' does not run '" + name
                    + "' now; replay its dead letters on the node holding its lease");
        }
        RecordedEvent record;
        try (Stream<RecordedEvent> events = settings.store().readAll(GlobalRead.after(letter.position() - 1).limit(1))) {
            record = events.findFirst().filter(r -> r.eventId().equals(letter.eventId())).orElseThrow(() ->
                    new IllegalStateException("the event " + letter.eventId() + " at position " + letter.position()
                            + " is no longer in the store"));
        }
        try {
            settings.transactions().run(context -> {
                handle(context, record, false);
                fence();
            });
        } catch (Exception e) {
            Exception failure = handlerFailure(e);
            LOG.warn("projection '{}': replay of the dead letter at {} failed again", name, letter.position(), failure);
            settings.deadLetters().add(DeadLetter.of(name, record, failure, letter.attempts() + 1,
                    settings.clock().instant()));
            return false;
        }
        settings.deadLetters().remove(name, letter.position());
        LOG.info("projection '{}': dead letter at {} replayed", name, letter.position());
        return true;
    }

    private void handle(C context, RecordedEvent record) {
        handle(context, record, record.position() > liveAfter);
    }

    private void handle(C context, RecordedEvent record, boolean live) {
        if (!settings.partition().owns(record.streamId())) {
            return;
        }
        Observation observation = observer.handle(name, record);
        try (HandlerContext mdc = HandlerContext.enter(name, record)) {
            settings.projection().handle(context, record, settings.serializer(), live);
        } catch (Exception e) {
            observation.failed(e);
            throw new HandlerFailure(e);
        } catch (Error e) {
            observation.failed(e);
            throw e;
        }
        observation.end(Outcome.SUCCEEDED, 1);
    }

    /** Refuses a commit once the lease is lost, or once a close gave up waiting for this thread. */
    private void fence() {
        if (progress.isAbandoned()) {
            throw new ProjectionOwnershipException("runner '" + name + "' was closed while it handled a batch");
        }
        lease.beforeCommit();
    }

    private void advanced(long next) {
        checkpoint = next;
        outlivedAt = -1;
        progress.advanced(next);
    }

    /**
     * What a handler threw, from the failure of a commit; rethrows a failure of the commit itself, an interrupt
     * and a store outage met by the handler.
     */
    private static Exception handlerFailure(Exception e) throws Exception {
        HandlerFailure failure = find(e, HandlerFailure.class);
        if (failure == null) {
            throw e;
        }
        Exception cause = (Exception) failure.getCause();
        if (cause instanceof InterruptedException || cause instanceof StoreUnavailableException) {
            throw cause;
        }
        return cause;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
