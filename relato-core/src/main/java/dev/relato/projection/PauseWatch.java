package dev.relato.projection;

import java.time.Duration;

/**
 * Whether an operator has paused a {@link ProjectionRunner}: reads the flag of the projection's name, and of the
 * runner's partition name when it has one, through its {@link ProjectionTransactions}, at most once per poll
 * interval (so a paused runner stops within about that time, and a running one costs the store one look per
 * interval, not one per batch). Used by the runner's thread only.
 */
final class PauseWatch {
    private final ProjectionTransactions<?> transactions;
    private final String projection;
    private final String name;
    private final long intervalNanos;
    private long lastLook;
    private boolean looked;
    private boolean paused;

    PauseWatch(ProjectionTransactions<?> transactions, String projection, String name, Duration interval) {
        this.transactions = transactions;
        this.projection = projection;
        this.name = name;
        this.intervalNanos = interval.toNanos();
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
            paused = transactions.paused(projection) || (!name.equals(projection) && transactions.paused(name));
            lastLook = now;
            looked = true;
        }
        return paused;
    }
}
