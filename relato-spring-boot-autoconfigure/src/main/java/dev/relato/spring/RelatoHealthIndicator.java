package dev.relato.spring;

import dev.relato.EventStore;
import dev.relato.projection.ProjectionState;
import dev.relato.projection.ProjectionStatus;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Health of the store and the projections, as the {@code relato} component of {@code /actuator/health}: DOWN when the
 * store cannot tell its head position (the database or server is unreachable) or a projection has failed; the
 * details carry the head and each projection's state and position. A paused projection is not a failure.
 * Thread-safe.
 */
public final class RelatoHealthIndicator extends AbstractHealthIndicator {
    private final EventStore store;
    private final @Nullable RelatoProjections projections;

    RelatoHealthIndicator(EventStore store, @Nullable RelatoProjections projections) {
        super("Relato health check failed");
        this.store = store;
        this.projections = projections;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        builder.withDetail("store", store.getClass().getSimpleName());
        long head = store.headPosition(); // throws when the store cannot be reached: DOWN with the exception
        builder.withDetail("head", head);
        boolean failed = false;
        if (projections != null) {
            Map<String, Object> details = new LinkedHashMap<>();
            for (ProjectionStatus status : projections.statuses()) {
                failed |= status.state() == ProjectionState.FAILED;
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("state", status.state().name().toLowerCase(Locale.ROOT));
                one.put("position", status.position());
                status.lastError().ifPresent(e -> one.put("error", e));
                details.put(status.name(), one);
            }
            builder.withDetail("projections", details);
        }
        if (failed) {
            builder.down();
        } else {
            builder.up();
        }
    }
}
