package dev.relato.projection;

import java.time.Duration;
import java.util.List;

/**
 * What operators ask of a {@link ProjectionRunner} through the stores, from any process: whether it is paused (the
 * flag of the projection's name, or of the runner's partition name, through its {@link ProjectionTransactions}) and
 * which of its dead letters to replay ({@link DeadLetterStore#requestReplay}). Looks at most once per poll interval,
 * so a paused runner stops within about that time and a running one costs the stores one look per interval, not one
 * per batch. Used by the runner's thread only.
 */
final class OperatorRequests {
    private final RunnerSettings<?> settings;
    private final String projection;
    private final String name;
    private final long intervalNanos;
    private long lastLook;
    private boolean looked;
    private boolean paused;
    private boolean replaysDue;

    OperatorRequests(RunnerSettings<?> settings) {
        this.settings = settings;
        this.projection = settings.projection().name();
        this.name = settings.name();
        this.intervalNanos = settings.pollInterval().toNanos();
    }

    /**
     * Whether the runner is paused, as the store said at the last look; looks again when the poll interval has
     * passed since then.
     *
     * @throws dev.relato.StoreUnavailableException if the store cannot be reached (handled as any outage)
     */
    boolean paused() {
        long now = System.nanoTime();
        if (!looked || now - lastLook >= intervalNanos) {
            ProjectionTransactions<?> transactions = settings.transactions();
            paused = transactions.paused(projection) || (!name.equals(projection) && transactions.paused(name));
            lastLook = now;
            looked = true;
            replaysDue = settings.deadLetters() != null;
        }
        return paused;
    }

    /**
     * The positions of the dead letters an operator asked to replay, once after each look at the pause flag (none
     * in between, and none without a dead-letter store).
     */
    List<Long> replays() {
        if (!replaysDue) {
            return List.of();
        }
        replaysDue = false;
        return settings.deadLetters().replayRequests(name);
    }

    /** How long a paused runner waits before it looks again. */
    Duration interval() {
        return settings.pollInterval();
    }
}
