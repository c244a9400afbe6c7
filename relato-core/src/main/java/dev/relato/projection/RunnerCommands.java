package dev.relato.projection;

import dev.relato.RelatoException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Work other threads ask a {@link ProjectionRunner} to do (a reset, a replay), run on the runner's thread
 * between batches so that it never races the handlers; once the runner has ended, run on the caller's thread,
 * one at a time. Thread-safe.
 */
final class RunnerCommands {
    private final String name;
    private final Runnable wake;
    /** Held by the runner's thread while it runs, and by the caller running a command after it ended. */
    private final Object offline = new Object();
    private final Deque<FutureTask<?>> queue = new ArrayDeque<>();
    private boolean terminated;

    /**
     * @param wake asks the runner's thread to look at its commands now
     */
    RunnerCommands(String name, Runnable wake) {
        this.name = name;
        this.wake = wake;
    }

    /** The lock the runner's thread holds while it runs. */
    Object runningLock() {
        return offline;
    }

    /**
     * Runs {@code work} on the runner's thread, or on this thread once the runner has ended, and waits for it.
     *
     * @throws IllegalStateException if called on the runner's own thread (from a handler)
     */
    <T> T execute(Callable<T> work, Thread runnerThread) {
        if (Thread.currentThread() == runnerThread) {
            throw new IllegalStateException("projection '" + name + "': a reset or replay waits for the runner's "
                    + "thread, so it cannot be requested from that thread (a handler); request it from another thread");
        }
        FutureTask<T> task = new FutureTask<>(work);
        boolean queued;
        synchronized (this) {
            queued = !terminated;
            if (queued) {
                queue.add(task);
            }
        }
        if (queued) {
            wake.run();
        } else {
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

    /** Whether the runner has ended, so that commands run on their callers' threads. */
    synchronized boolean hasEnded() {
        return terminated;
    }

    /** Runs the queued commands; on the runner's thread. */
    void runQueued() {
        while (true) {
            FutureTask<?> command;
            synchronized (this) {
                command = queue.poll();
            }
            if (command == null) {
                return;
            }
            command.run();
        }
    }

    /** The runner has ended: runs what is still queued on this thread; later commands run on their callers'. */
    void terminate() {
        List<FutureTask<?>> left;
        synchronized (this) {
            terminated = true;
            left = new ArrayList<>(queue);
            queue.clear();
        }
        synchronized (offline) {
            left.forEach(FutureTask::run);
        }
    }
}
