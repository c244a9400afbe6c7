package dev.relato.spring;

import dev.relato.projection.ProjectionStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code projections} actuator endpoint: {@code GET /actuator/projections} lists each projection with its state,
 * position, the store's head, the lag (positions and time behind) and its last error; {@code GET
 * /actuator/projections/{name}} shows one; {@code POST /actuator/projections/{name}/{operation}} with {@code pause},
 * {@code resume} or {@code rebuild} runs that operation of {@link RelatoProjections}. Like every actuator endpoint
 * it is exposed over HTTP only when {@code management.endpoints.web.exposure.include} names it, and with Spring
 * Security on the class path Spring Boot's default security requires an authenticated user for it. Thread-safe.
 */
@Endpoint(id = "projections")
public final class ProjectionsEndpoint {
    private final RelatoProjections projections;

    ProjectionsEndpoint(RelatoProjections projections) {
        this.projections = projections;
    }

    /** Every projection, in bean order. */
    @ReadOperation
    public List<Map<String, Object>> projections() {
        return projections.names().stream().map(this::describe).toList();
    }

    /** One projection; {@code null} (404) if there is none of that name. */
    @ReadOperation
    public @Nullable Map<String, Object> projection(@Selector String name) {
        return projections.names().contains(name) ? describe(name) : null;
    }

    /**
     * Pauses, resumes or rebuilds a projection and returns its state afterwards; 404 if there is no projection of
     * that name.
     *
     * @throws InvalidEndpointRequestException (400) for another operation
     */
    @WriteOperation
    public WebEndpointResponse<Map<String, Object>> operate(@Selector String name, @Selector String operation) {
        if (!projections.names().contains(name)) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        switch (operation) {
            case "pause" -> projections.pause(name);
            case "resume" -> projections.resume(name);
            case "rebuild" -> projections.rebuild(name);
            default -> throw new InvalidEndpointRequestException("operation '" + operation
                    + "' is not one of pause, resume, rebuild", "unknown operation");
        }
        return new WebEndpointResponse<>(describe(name));
    }

    private Map<String, Object> describe(String name) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("paused", projections.isPaused(name));
        projections.status(name).ifPresent(status -> put(map, status));
        return map;
    }

    private static void put(Map<String, Object> map, ProjectionStatus status) {
        map.put("state", status.state().name().toLowerCase(Locale.ROOT));
        map.put("position", status.position());
        map.put("head", status.headPosition());
        map.put("lag", status.positionsBehind());
        map.put("lagMillis", status.timeBehind().toMillis());
        status.lastError().ifPresent(e -> map.put("lastError", e));
        map.put("updatedAt", status.updatedAt().toString());
    }
}
