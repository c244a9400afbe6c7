package dev.relato.projection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The asynchronous projections of one process, started and stopped together: one {@link ProjectionRunner}
 * per projection, or per partition of a partitioned one, each on its own thread. With
 * {@link ProjectionRunner.Builder#leases leases}, run the same daemon on every node: each projection or
 * partition is then handled by one node at a time, and the nodes take over from each other.
 *
 * <pre>{@code
 * ProjectionDaemon daemon = ProjectionDaemon.builder()
 *         .add(ProjectionRunner.builder(orderList, store, serializer).transactions(sql))
 *         .addPartitioned(ProjectionRunner.builder(ledger, store, serializer).transactions(sql).leases(leases, ttl), 4)
 *         .start();
 * daemon.statuses();   // for a health or status endpoint
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} closes every runner (releasing their leases). A runner that fails stays
 * failed (see {@link ProjectionRunner}); its status shows it.
 */
public final class ProjectionDaemon implements AutoCloseable {
    private final List<ProjectionRunner<?>> runners;

    private ProjectionDaemon(List<ProjectionRunner<?>> runners) {
        this.runners = List.copyOf(runners);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The runners, in the order they were added (partitions by index). */
    public List<ProjectionRunner<?>> runners() {
        return runners;
    }

    /** Every runner's status, in the order of {@link #runners()}. */
    public List<ProjectionStatus> statuses() {
        return runners.stream().map(ProjectionRunner::status).toList();
    }

    /**
     * Waits until every runner has handled the events stored when this method was called.
     *
     * @return true if all have; false if the timeout passed or a runner stopped first. Runners in
     *         {@link ProjectionState#STANDBY} (another node holds their lease) never catch up here: use
     *         {@link #statuses()} on a node with leases
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProjectionRunner<?> runner : runners) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (!runner.awaitCaughtUp(left)) {
                return false;
            }
        }
        return true;
    }

    /** Closes every runner. Idempotent. */
    @Override
    public void close() {
        runners.forEach(ProjectionRunner::close);
    }

    @Override
    public String toString() {
        return "ProjectionDaemon" + runners;
    }

    /** Collects the runners to start. Not thread-safe. */
    public static final class Builder {
        private final List<Partitioned> all = new ArrayList<>();

        private Builder() {
        }

        private record Partitioned(ProjectionRunner.Builder<?> runner, int count) {
            /** The partition of each runner to start: the builder's own, or each of {@code count}. */
            List<Partition> shares() {
                if (count == 0) {
                    return List.of(runner.partition());
                }
                List<Partition> shares = new ArrayList<>(count);
                for (int p = 0; p < count; p++) {
                    shares.add(new Partition(p, count));
                }
                return shares;
            }
        }

        /** A runner of one projection, as configured. */
        public Builder add(ProjectionRunner.Builder<?> runner) {
            Objects.requireNonNull(runner, "runner must not be null");
            all.add(new Partitioned(runner, 0));
            return this;
        }

        /**
         * One runner per partition of the projection, each with the builder's settings and its own partition;
         * the partition set on the builder is replaced.
         *
         * @throws IllegalArgumentException if the count is not 1 to {@value Partition#MAX_COUNT}
         */
        public Builder addPartitioned(ProjectionRunner.Builder<?> runner, int partitions) {
            Objects.requireNonNull(runner, "runner must not be null");
            new Partition(0, partitions);
            all.add(new Partitioned(runner, partitions));
            return this;
        }

        /**
         * Starts every runner. If one cannot start (a setting is invalid), those already started are closed.
         *
         * @throws IllegalStateException    as {@link ProjectionRunner.Builder#start()}
         * @throws IllegalArgumentException as {@link ProjectionRunner.Builder#start()}, or if two runners would
         *                                  work under the same checkpoint name
         */
        public ProjectionDaemon start() {
            List<String> names = new ArrayList<>();
            all.forEach(entry -> entry.shares().forEach(share -> names.add(entry.runner().name(share))));
            if (names.stream().distinct().count() != names.size()) {
                throw new IllegalArgumentException("two runners of the daemon would work under the same name: " + names);
            }
            List<ProjectionRunner<?>> started = new ArrayList<>();
            try {
                for (Partitioned entry : all) {
                    for (Partition share : entry.shares()) {
                        started.add(entry.runner().partition(share).start());
                    }
                }
            } catch (RuntimeException e) {
                started.forEach(ProjectionRunner::close);
                throw e;
            }
            return new ProjectionDaemon(started);
        }
    }
}
