package dev.relato.projection;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * Which version of a projection serves queries, for rebuilding a projection without downtime: run version 2
 * under its own name ({@link #versionedName}, its own checkpoint) and its own read-model tables or keys, chosen
 * from the version, while version 1 keeps serving; once version 2 has caught up, {@link #activate} it, and
 * let the query side read the tables of {@link #live}; then stop and drop version 1.
 *
 * <pre>{@code
 * ProjectionVersions versions = new ProjectionVersions(checkpoints);
 * Projection<Connection> v2 = orderList(ProjectionVersions.versionedName("order-list", 2), "order_list_v2");
 * try (ProjectionRunner<Connection> rebuild = ProjectionRunner.builder(v2, store, serializer)...start()) {
 *     rebuild.awaitCaughtUp(Duration.ofMinutes(10));
 *     versions.activate("order-list", 2);
 * }
 * String table = "order_list_v" + versions.live("order-list").orElse(1);
 * }</pre>
 *
 * <p>The live version is stored in the {@link CheckpointStore} under the reserved name {@code $live/<name>}
 * (consumer names starting with {@code $} are left to Relato), so it sits next to the checkpoints in
 * whichever backend keeps them. Thread-safe; failures as those of the checkpoint store.
 */
public final class ProjectionVersions {
    private static final String PREFIX = "$live/";
    private final CheckpointStore checkpoints;

    public ProjectionVersions(CheckpointStore checkpoints) {
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoint store must not be null");
    }

    /** The name of version {@code version} of a projection: {@code name@v<version>}. */
    public static String versionedName(String projection, int version) {
        checkVersion(version);
        return CheckpointStore.validateName(CheckpointStore.validateName(projection) + "@v" + version);
    }

    /** The live version of the projection, if one was activated. */
    public OptionalInt live(String projection) {
        long version = checkpoints.load(key(projection));
        return version == 0 ? OptionalInt.empty() : OptionalInt.of((int) version);
    }

    /** Makes {@code version} the live one of the projection. */
    public void activate(String projection, int version) {
        checkVersion(version);
        checkpoints.save(key(projection), version);
    }

    private static String key(String projection) {
        return CheckpointStore.validateName(PREFIX + CheckpointStore.validateName(projection));
    }

    private static void checkVersion(int version) {
        if (version < 1) {
            throw new IllegalArgumentException("projection version must be 1 or more, got " + version);
        }
    }
}
