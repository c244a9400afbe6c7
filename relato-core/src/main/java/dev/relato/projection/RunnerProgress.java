package dev.relato.projection;

import dev.relato.RecordedEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a {@link ProjectionRunner}'s thread shares with the threads that watch, wake and close it: its state,
 * position and last error, and the waits on them. The runner's thread waits here, or in the store's
 * {@link dev.relato.EventStore#awaitHead} between {@link #enterHeadWait()} and {@link #leaveHeadWait()}; a wake-up
 * or close interrupts it there, and only there. Thread-safe: every field is guarded by this object's monitor.
 */
final class RunnerProgress {
    private ProjectionState state = ProjectionState.STARTING;
    private long position;
    private long head;
    private Instant pendingSince;
    private String lastError;
    private boolean closing;
    private boolean terminated;
    private boolean abandoned;
    private boolean wakeRequested;
    private Thread headWaiter;
    private boolean headWaiterWoken;

    synchronized ProjectionStatus status(String name, Clock clock) {
        Instant now = clock.instant();
        Duration behind = pendingSince == null || !now.isAfter(pendingSince)
                ? Duration.ZERO : Duration.between(pendingSince, now);
        return new ProjectionStatus(name, state, position, Math.max(head, position), Math.max(0, head - position),
                behind, Optional.ofNullable(lastError), now);
    }

    /**
     * Waits until every event up to {@code target} is handled and, if {@code caughtUp}, the runner is caught up or
     * past it.
     *
     * @return false if the timeout passed or the runner stopped first
     */
    synchronized boolean awaitPosition(long target, boolean caughtUp, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (position < target || (caughtUp && position == target && state != ProjectionState.CAUGHT_UP)) {
            long left = deadline - System.nanoTime();
            if (terminated || state.isTerminal() || left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    synchronized long position() {
        return position;
    }

    synchronized void state(ProjectionState newState) {
        state = newState;
    }

    synchronized void error(Throwable failure) {
        lastError = DeadLetter.describe(failure);
    }

    /** The runner starts (again) from its checkpoint. */
    synchronized void loaded(long checkpoint) {
        position = checkpoint;
        pendingSince = null;
        notifyAll();
    }

    /** The runner read {@code page} (full or not) when the head was {@code headNow}. */
    synchronized void read(long headNow, List<RecordedEvent> page, boolean full) {
        head = Math.max(headNow, page.isEmpty() ? 0 : page.get(page.size() - 1).position());
        pendingSince = page.isEmpty() ? null : page.get(0).recordedAt();
        if (full || (!page.isEmpty() && state != ProjectionState.CAUGHT_UP)) {
            state = ProjectionState.CATCHING_UP;
        }
    }

    /** Every event up to {@code next} is handled. */
    synchronized void advanced(long next) {
        position = Math.max(position, next);
        head = Math.max(head, next);
        lastError = null;
        if (state == ProjectionState.RETRYING) {
            state = ProjectionState.CATCHING_UP;
        }
        notifyAll();
    }

    /** Nothing more to read up to {@code upTo}. */
    synchronized void caughtUp(long upTo) {
        position = Math.max(position, upTo);
        head = Math.max(head, position);
        pendingSince = null;
        lastError = null;
        state = ProjectionState.CAUGHT_UP;
        notifyAll();
    }

    /** Asks the runner to stop; wakes it wherever it waits. */
    synchronized void requestClose() {
        closing = true;
        wakeWaiter();
    }

    synchronized boolean isClosing() {
        return closing;
    }

    /** Asks the runner to look at its commands and the log now. */
    synchronized void wake() {
        wakeRequested = true;
        wakeWaiter();
    }

    private void wakeWaiter() {
        notifyAll();
        if (headWaiter != null && !headWaiterWoken) {
            headWaiterWoken = true;
            headWaiter.interrupt();
        }
    }

    /**
     * Called by the runner's thread before it waits in the store for new events.
     *
     * @return false if it must not wait: it is closing or was woken meanwhile
     */
    synchronized boolean enterHeadWait() {
        if (closing || wakeRequested) {
            wakeRequested = false;
            return false;
        }
        headWaiter = Thread.currentThread();
        return true;
    }

    /**
     * Called by the runner's thread after its wait in the store, however it ended; clears an interrupt this object
     * sent it.
     *
     * @return whether this object interrupted the wait (to wake or close the runner)
     */
    synchronized boolean leaveHeadWait() {
        boolean woken = headWaiterWoken;
        headWaiter = null;
        headWaiterWoken = false;
        wakeRequested = false;
        if (woken) {
            Thread.interrupted();
        }
        return woken;
    }

    /** Waits up to {@code timeout} or until woken; returns whether the runner is closing. */
    synchronized boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closing && !wakeRequested) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        wakeRequested = false;
        return closing;
    }

    /**
     * Waits the whole of {@code timeout} unless the runner is closing, however often it is woken meanwhile (new
     * events must not cut a failure policy's backoff short); returns whether it is closing. A wake-up stays
     * requested for the next {@link #await}.
     */
    synchronized boolean pause(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return closing;
    }

    /**
     * {@code close()} stopped waiting for a thread whose handler ignores interrupts: the runner counts as stopped,
     * and that thread must commit nothing more.
     */
    synchronized void abandon() {
        abandoned = true;
        terminated = true;
        state = ProjectionState.STOPPED;
        notifyAll();
    }

    synchronized boolean isAbandoned() {
        return abandoned;
    }

    /** The runner's thread has ended, normally or with {@code failure} (the cause to report). */
    synchronized void terminated(Throwable failure) {
        terminated = true;
        if (failure != null) {
            state = ProjectionState.FAILED;
        } else if (state != ProjectionState.PAUSED || closing) {
            state = ProjectionState.STOPPED; // a catch-up that found its projection paused stays PAUSED
        }
        if (failure != null) {
            lastError = DeadLetter.describe(failure);
        }
        notifyAll();
    }
}
