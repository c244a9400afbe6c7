package dev.relato.observe;

import dev.relato.EventStore;
import dev.relato.projection.ProjectionRunner;
import dev.relato.projection.ProjectionState;
import dev.relato.projection.ProjectionStatus;
import java.time.Duration;
import java.util.Objects;

/**
 * Whether one part of a Relato application works: a store that answers, a projection runner that keeps up.
 * Usable without any metrics library; an HTTP health endpoint answers 503 when any part is {@link #up() down}.
 * Immutable and thread-safe.
 *
 * @param component what was checked ({@code "store"} or {@code "projection:<name>"})
 * @param up        whether it works
 * @param detail    a line for an operator: the head position, the lag, or why it is down
 */
public record Health(String component, boolean up, String detail) {
    public Health {
        Objects.requireNonNull(component, "component must not be null");
        Objects.requireNonNull(detail, "detail must not be null");
    }

    /**
     * A store's health: one cheap round trip ({@link EventStore#headPosition()}). Down, with the failure, if it
     * throws. Blocks for as long as that call does.
     */
    public static Health of(EventStore store) {
        try {
            return new Health("store", true, "head position " + store.headPosition());
        } catch (RuntimeException e) {
            return new Health("store", false, e.toString());
        }
    }

    /**
     * A projection runner's health from its {@link ProjectionRunner#status() status}: down if it failed or stopped,
     * or if it lags more than {@code maxPositionsBehind} positions or more than {@code maxTimeBehind} (stalled or too
     * slow); up while starting, catching up within the limits, caught up, retrying within the limits or on standby
     * (another node holds its lease).
     */
    public static Health of(ProjectionRunner<?> runner, long maxPositionsBehind, Duration maxTimeBehind) {
        return of(runner.status(), maxPositionsBehind, maxTimeBehind);
    }

    /** The health {@link #of(ProjectionRunner, long, Duration)} derives from a status. */
    public static Health of(ProjectionStatus status, long maxPositionsBehind, Duration maxTimeBehind) {
        if (maxPositionsBehind < 0 || maxTimeBehind.isNegative()) {
            throw new IllegalArgumentException("lag limits must not be negative, got " + maxPositionsBehind
                    + " positions and " + maxTimeBehind);
        }
        String component = "projection:" + status.name();
        String lag = status.positionsBehind() + " positions (" + status.timeBehind() + ") behind";
        ProjectionState state = status.state();
        if (state == ProjectionState.FAILED || state == ProjectionState.STOPPED) {
            return new Health(component, false, state + status.lastError().map(e -> ": " + e).orElse("")
                    + "; " + lag);
        }
        if (state != ProjectionState.STANDBY && (status.positionsBehind() > maxPositionsBehind
                || status.timeBehind().compareTo(maxTimeBehind) > 0)) {
            return new Health(component, false, state + ", lagging " + lag + ", beyond " + maxPositionsBehind
                    + " positions or " + maxTimeBehind + status.lastError().map(e -> "; last error: " + e).orElse(""));
        }
        return new Health(component, true, state + ", " + lag);
    }
}
