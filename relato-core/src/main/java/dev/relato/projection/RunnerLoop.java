package dev.relato.projection;

import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.StoreUnavailableException;
import dev.relato.spi.OutageRetry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of a {@link ProjectionRunner}'s thread (or of a catch-up on the caller's thread): holds the lease,
 * reads the log a batch at a time after the checkpoint, hands each batch to the {@link BatchHandler}, and at the
 * head of the log waits in the store's {@link dev.relato.EventStore#awaitHead} for new events. A store outage
 * ({@link StoreUnavailableException}) is retried under the runner's retry policy until its ceiling, then the runner
 * fails; any other failure of the store fails it at once. Used by one thread.
 */
final class RunnerLoop<C> {
    private static final Logger LOG = LoggerFactory.getLogger(ProjectionRunner.class);

    private final RunnerSettings<C> settings;
    private final RunnerProgress progress;
    private final RunnerCommands commands;
    private final LeaseKeeper lease;
    private final BatchHandler<C> batches;
    private final boolean untilCaughtUp;
    private final String name;

    RunnerLoop(RunnerSettings<C> settings, RunnerProgress progress, RunnerCommands commands, LeaseKeeper lease,
               BatchHandler<C> batches, boolean untilCaughtUp) {
        this.settings = settings;
        this.progress = progress;
        this.commands = commands;
        this.lease = lease;
        this.batches = batches;
        this.untilCaughtUp = untilCaughtUp;
        this.name = settings.name();
    }

    /**
     * Runs until closed, failed or (catching up) caught up; then releases the lease, records how it ended and runs
     * the commands still queued. An interrupt that did not come from closing the runner fails it, and the
     * thread's interrupt flag is set again when this returns.
     */
    void run() {
        Throwable failure = null;
        boolean interrupted = false;
        try {
            synchronized (commands.runningLock()) {
                loop();
            }
        } catch (InterruptedException e) {
            if (!progress.isClosing()) {
                interrupted = true;
                failure = e;
                LOG.error("projection '{}' was interrupted and stopped", name);
            }
        } catch (Throwable e) {
            failure = e;
            LOG.error("projection '{}' failed and stopped", name, e);
        } finally {
            if (failure == null) {
                lease.release();
            }
            progress.terminated(failure instanceof RunnerStop stop ? stop.getCause() : failure);
            commands.terminate();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() throws Exception {
        OutageRetry outage = new OutageRetry(settings.storeRetry(), LOG, "projection '" + name + "'");
        OperatorRequests operators = new OperatorRequests(settings);
        boolean loaded = false;
        while (!progress.isClosing()) {
            try {
                commands.runQueued();
                LeaseKeeper.Standing standing = lease.ensure();
                if (standing == LeaseKeeper.Standing.NOT_HELD) {
                    outage.succeeded();
                    progress.state(ProjectionState.STANDBY);
                    progress.await(shorter(settings.pollInterval(), settings.leaseDuration().dividedBy(3)));
                    continue;
                }
                if (operators.paused()) {
                    outage.succeeded();
                    progress.state(ProjectionState.PAUSED);
                    if (untilCaughtUp) {
                        LOG.info("projection '{}' is paused; nothing to catch up until it is resumed", name);
                        return;
                    }
                    loaded = false; // an operator may move the checkpoint while paused: load it again on resume
                    progress.await(operators.interval());
                    continue;
                }
                if (!loaded || standing == LeaseKeeper.Standing.GAINED) {
                    batches.loaded(settings.transactions().checkpoint(name));
                    loaded = true;
                }
                replayRequested(operators.replays());
                long headNow = settings.store().headPosition();
                long from = progress.position();
                int limit = batches.limit();
                List<RecordedEvent> page;
                try (Stream<RecordedEvent> events = settings.store().readAll(GlobalRead.after(from)
                        .filter(settings.filter()).batchSize(limit).limit(limit))) {
                    page = events.toList();
                }
                boolean full = page.size() == limit;
                progress.read(headNow, page, full);
                if (!page.isEmpty() && !batches.handle(page)) {
                    continue;
                }
                outage.succeeded();
                if (!full) {
                    long upTo = Math.max(Math.max(headNow, from), page.isEmpty() ? 0 : page.get(page.size() - 1).position());
                    batches.caughtUp(upTo);
                    if (untilCaughtUp) {
                        return;
                    }
                    waitForAppends(upTo);
                }
            } catch (StoreUnavailableException e) {
                progress.error(e);
                Optional<Duration> wait = outage.failed(e);
                if (wait.isEmpty()) {
                    throw new RunnerStop("projection '" + name + "' gave up after " + outage.failures()
                            + " failed attempts to reach the store (retry policy " + outage.policy() + ")", e);
                }
                progress.state(ProjectionState.RETRYING);
                progress.await(wait.get());
            } catch (ProjectionOwnershipException e) {
                LOG.warn("projection '{}': {}; reloading the checkpoint", name, e.getMessage());
                lease.lost();
                loaded = lease.enabled(); // with leases, the checkpoint is loaded when the lease is gained again
            }
        }
    }

    /**
     * Replays the dead letters an operator asked for (a dead letter removed meanwhile has nothing to replay). One whose
     * event is no longer in the store is added again as it was, which ends its request, and logged.
     */
    private void replayRequested(List<Long> positions) throws Exception {
        for (long position : positions) {
            Optional<DeadLetter> letter = settings.deadLetters().find(name, position);
            if (letter.isEmpty()) {
                continue;
            }
            try {
                batches.replay(letter.get(), false);
            } catch (IllegalStateException e) {
                LOG.warn("projection '{}': cannot replay the dead letter at {}: {}", name, position, e.getMessage());
                settings.deadLetters().add(letter.get());
            }
        }
    }

    /**
     * Waits in the store until the head moves past {@code seen}, the poll interval passes, the lease is due for
     * renewal, or the runner is woken (a command, a close), whichever comes first.
     */
    private void waitForAppends(long seen) throws InterruptedException {
        if (!progress.enterHeadWait()) {
            return;
        }
        try {
            settings.store().awaitHead(seen, lease.untilRenewal(settings.pollInterval()));
        } catch (InterruptedException | RuntimeException e) {
            if (!progress.leaveHeadWait()) {
                throw e;
            }
            return;
        }
        progress.leaveHeadWait();
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
